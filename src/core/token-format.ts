/** Secret format `<prefix>_<58 random base62><6 base62 CRC32>`: generation, shape check, hashing, hint. */
import * as nodeCrypto from 'node:crypto';
import type { SecretHash } from './types.js';

export const DEFAULT_TOKEN_PREFIX = 'tsr';
export const SECRET_BODY_LENGTH = 64;
/** 6 base62 chars hold any 32-bit value (62^6 ≈ 5.7e10 > 2^32). */
export const CHECKSUM_LENGTH = 6;
/** 58 · log2(62) ≈ 345 bits, comfortably above the spec's 256. */
export const SECRET_RANDOM_LENGTH = SECRET_BODY_LENGTH - CHECKSUM_LENGTH;
export const MIN_PREFIX_LENGTH = 2;
export const MAX_PREFIX_LENGTH = 16;
/**
 * Longest string `checkSecretShape` accepts: a 16-char prefix, `_`, the body (81). Derived rather than
 * hard-coded so that every secret `generateSecret` can produce is also accepted.
 */
export const MAX_SECRET_LENGTH = MAX_PREFIX_LENGTH + 1 + SECRET_BODY_LENGTH;
export const MIN_SECRET_LENGTH = MIN_PREFIX_LENGTH + 1 + SECRET_BODY_LENGTH;

/** Digits, then upper case, then lower case: the `[0-9A-Za-z]` order, also used for the checksum's digits. */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** char code → base62 digit value, or -1; indexed by code so the hot path never allocates or runs a regex. */
const BASE62_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE62_ALPHABET.length; i++) BASE62_VALUE[BASE62_ALPHABET.charCodeAt(i)] = i;

/**
 * CRC-32 lookup table for the standard IEEE 802.3 polynomial (0x04C11DB7, reflected 0xEDB88320), the one in
 * zlib, PNG and GitHub's token checksums. Node 20 has no `zlib.crc32`, hence this 256-entry table.
 */
const CRC_TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c >>> 0;
}

function crcStep(crc: number, byte: number): number {
  return (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
}

/** CRC-32 (IEEE) of an ASCII string, as an unsigned 32-bit integer. Only ASCII input is meaningful. */
export function crc32Ascii(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = crcStep(crc, text.charCodeAt(i) & 0xff);
  return (crc ^ 0xffffffff) >>> 0;
}

function encodeChecksum(value: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62_ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

export function isValidTokenPrefix(prefix: string): boolean {
  const n = prefix.length;
  if (n < MIN_PREFIX_LENGTH || n > MAX_PREFIX_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    const c = prefix.charCodeAt(i);
    const lower = c >= 0x61 && c <= 0x7a;
    const digit = c >= 0x30 && c <= 0x39;
    if (!(lower || (digit && i > 0))) return false;
  }
  return true;
}

/** Gives up on a random source that keeps returning nothing usable instead of looping forever. */
const MAX_RANDOM_ROUNDS = 1000;

/**
 * `length` base62 characters. Unbiased: a byte is used only if it is below 248 (= 4 · 62), so `byte % 62`
 * is uniform; the ~3% of bytes above are rejected and more are drawn.
 */
export function generateRandomString(length: number, randomBytes: (n: number) => Uint8Array): string {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`length must be a non-negative integer`);
  let out = '';
  for (let round = 0; out.length < length; round++) {
    if (round >= MAX_RANDOM_ROUNDS) throw new Error('random source returned too few usable bytes');
    const missing = length - out.length;
    const bytes = randomBytes(missing + (missing >> 3) + 2);
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const b = bytes[i] as number;
      if (b < 248) out += BASE62_ALPHABET[b % 62];
    }
  }
  return out;
}

/** randomBytes: (n) => Uint8Array from the OS CSPRNG in production (crypto.randomBytes), injectable for tests. */
export function generateSecret(prefix: string, randomBytes: (n: number) => Uint8Array): string {
  if (!isValidTokenPrefix(prefix)) throw new RangeError('token prefix must match ^[a-z][a-z0-9]{1,15}$');
  const head = `${prefix}_${generateRandomString(SECRET_RANDOM_LENGTH, randomBytes)}`;
  return head + encodeChecksum(crc32Ascii(head));
}

export type SecretShape = { ok: true; prefix: string } | { ok: false; reason: 'MALFORMED' | 'CHECKSUM' };

const MALFORMED: SecretShape = { ok: false, reason: 'MALFORMED' };
const CHECKSUM: SecretShape = { ok: false, reason: 'CHECKSUM' };

/**
 * Refuses malformed or checksum-failing strings without any lookup. Must be fast (it is on the verify hot path):
 * no regex backtracking, a precomputed CRC table. Max accepted length {@link MAX_SECRET_LENGTH}.
 *
 * One pass over the characters: the body length is fixed, so the `_` position follows from the total length,
 * and the CRC is computed while the characters are validated.
 */
export function checkSecretShape(presented: string): SecretShape {
  if (typeof presented !== 'string') return MALFORMED;
  const n = presented.length;
  if (n < MIN_SECRET_LENGTH || n > MAX_SECRET_LENGTH) return MALFORMED;
  const sep = n - SECRET_BODY_LENGTH - 1;
  const checksumStart = n - CHECKSUM_LENGTH;
  let crc = 0xffffffff;
  for (let i = 0; i < sep; i++) {
    const c = presented.charCodeAt(i);
    const lower = c >= 0x61 && c <= 0x7a;
    const digit = c >= 0x30 && c <= 0x39;
    if (!(lower || (digit && i > 0))) return MALFORMED;
    crc = crcStep(crc, c);
  }
  if (presented.charCodeAt(sep) !== 0x5f) return MALFORMED;
  crc = crcStep(crc, 0x5f);
  for (let i = sep + 1; i < checksumStart; i++) {
    const c = presented.charCodeAt(i);
    if (c >= 128 || BASE62_VALUE[c] === -1) return MALFORMED;
    crc = crcStep(crc, c);
  }
  let claimed = 0;
  for (let i = checksumStart; i < n; i++) {
    const c = presented.charCodeAt(i);
    const v = c < 128 ? (BASE62_VALUE[c] as number) : -1;
    if (v === -1) return MALFORMED;
    claimed = claimed * 62 + v;
  }
  if (claimed !== (crc ^ 0xffffffff) >>> 0) return CHECKSUM;
  return { ok: true, prefix: presented.slice(0, sep) };
}

/** `crypto.hash` (Node >= 20.12) skips the Hash object and is several times faster for one-shot digests. */
const sha256Hex: (s: string) => string =
  typeof nodeCrypto.hash === 'function'
    ? (s) => nodeCrypto.hash('sha256', s, 'hex')
    : (s) => nodeCrypto.createHash('sha256').update(s).digest('hex');

/**
 * Lowercase hex SHA-256 of the whole secret string. A fast unsalted hash is enough: the secret carries
 * ~345 random bits, so there is nothing to brute-force, and verify must stay cheap.
 */
export function hashSecret(secret: string): SecretHash {
  return sha256Hex(secret) as SecretHash;
}

/** What {@link secretHint} shows for a string that is not secret-shaped: showing any of it could leak it whole. */
export const MALFORMED_SECRET_HINT = '(malformed)';

/**
 * Non-secret display form: `${prefix}_${body.slice(0,4)}…${body.slice(-4)}` (U+2026). Eight of 64 body chars,
 * four of which are checksum, leave ~300 unknown bits. A string without the secret's layout (prefix, `_`,
 * 64 chars) gets {@link MALFORMED_SECRET_HINT}; the checksum is not checked, so a mistyped secret still has a hint.
 */
export function secretHint(secret: string): string {
  const n = secret.length;
  const sep = n - SECRET_BODY_LENGTH - 1;
  if (n < MIN_SECRET_LENGTH || n > MAX_SECRET_LENGTH || secret.charCodeAt(sep) !== 0x5f) return MALFORMED_SECRET_HINT;
  const prefix = secret.slice(0, sep);
  if (!isValidTokenPrefix(prefix)) return MALFORMED_SECRET_HINT;
  const body = secret.slice(sep + 1);
  return `${prefix}_${body.slice(0, 4)}\u2026${body.slice(-4)}`;
}
