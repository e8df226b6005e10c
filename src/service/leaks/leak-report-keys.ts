/**
 * The public keys signed leak reports are checked with, as GitHub's secret scanning signs them: ECDSA on P-256
 * with SHA-256 over the raw body, a base64 DER signature in `Github-Public-Key-Signature`, the key named by
 * `Github-Public-Key-Identifier`.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { TesseraError } from '../../core/errors.js';

/** Key identifier → P-256 public key. */
export type LeakReportKeys = ReadonlyMap<string, KeyObject>;

export const NO_LEAK_REPORT_KEYS: LeakReportKeys = new Map();

const SETTING = 'TESSERA_LEAK_REPORT_PUBLIC_KEYS';

/**
 * Reads the setting in any of three forms: GitHub's own key list as served by
 * `https://api.github.com/meta/public_keys/secret_scanning` (`{"public_keys":[{"key_identifier","key"}]}`), a JSON
 * object `{"<id>": "<PEM>"}`, or PEM text (one or more keys, each identified by the hex SHA-256 of its DER form).
 */
export function parseLeakReportKeys(text: string | undefined): LeakReportKeys {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') return NO_LEAK_REPORT_KEYS;
  const entries = trimmed.startsWith('{') ? jsonEntries(trimmed) : pemEntries(trimmed);
  if (entries.length === 0) throw invalid('no public key found');
  return new Map(entries.map(([id, pem]) => [id, p256Key(id, pem)]));
}

function jsonEntries(text: string): [string, string][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('expected JSON ({"<id>": "<PEM>"} or GitHub\'s {"public_keys": [...]}) or PEM text');
  }
  const record = parsed as Record<string, unknown>;
  if (Array.isArray(record.public_keys)) {
    return record.public_keys.map((entry: unknown, i) => {
      const { key_identifier: id, key } = (entry ?? {}) as Record<string, unknown>;
      if (typeof id !== 'string' || id === '' || typeof key !== 'string') throw invalid(`public_keys[${i}]: expected key_identifier and key strings`);
      return [id, key];
    });
  }
  return Object.entries(record).map(([id, pem]) => {
    if (typeof pem !== 'string') throw invalid(`${id}: expected a PEM string`);
    return [id, pem];
  });
}

function pemEntries(text: string): [string, string][] {
  const blocks = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
  return blocks.map((pem) => [derIdentifier(pem), pem]);
}

/** The identifier of a key given as bare PEM: the hex SHA-256 of its DER (SubjectPublicKeyInfo) form. */
export function derIdentifier(pem: string): string {
  const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

function p256Key(id: string, pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw invalid(`${id}: not a PEM public key`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw invalid(`${id}: expected an ECDSA P-256 public key`);
  }
  return key;
}

function invalid(problem: string): TesseraError {
  return new TesseraError('BAD_REQUEST', `${SETTING}: ${problem}`, { field: SETTING });
}

/** Whether `signature` (base64 DER) is the named key's signature of exactly these bytes. Unknown key: false. */
export function signatureVerifies(keys: LeakReportKeys, keyId: string, signature: string, body: Buffer): boolean {
  const key = keys.get(keyId);
  if (key === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return verify('sha256', body, { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    // A signature that is not DER at all is as wrong as one that does not match.
    return false;
  }
}

/**
 * The reporter behind a signed report, or UNAUTHORIZED. One fixed message whatever was wrong (unknown key id, bad
 * signature, other bytes), so a forger learns nothing about which part failed.
 */
export function signedReporter(keys: LeakReportKeys, keyId: string, signature: string, body: Buffer): { kind: 'signature'; keyId: string } {
  if (keys.size === 0) {
    throw new TesseraError('UNAUTHORIZED', `this server accepts no signed leak reports (${SETTING} is not set); send a token holding leaks:report`);
  }
  if (!signatureVerifies(keys, keyId, signature, body)) throw new TesseraError('UNAUTHORIZED', 'leak report signature verification failed');
  return { kind: 'signature', keyId };
}
