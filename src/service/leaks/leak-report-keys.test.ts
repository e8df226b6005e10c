import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../core/errors.js';
import { derIdentifier, parseLeakReportKeys, signatureVerifies, signedReporter } from './leak-report-keys.js';

const pair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (p: ReturnType<typeof pair>) => p.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const first = pair();
const second = pair();
const body = Buffer.from('[{"token":"tsr_x","type":"tessera_token","url":"","source":"content"}]');
const signatureBy = (p: ReturnType<typeof pair>, bytes = body) => sign('sha256', bytes, p.privateKey).toString('base64');

describe('parseLeakReportKeys', () => {
  it.each([
    ['GitHub’s key list', JSON.stringify({ public_keys: [{ key_identifier: 'gh1', key: pem(first), is_current: true }, { key_identifier: 'gh2', key: pem(second), is_current: false }] }), ['gh1', 'gh2']],
    ['a JSON object of id → PEM', JSON.stringify({ mine: pem(first), other: pem(second) }), ['mine', 'other']],
    ['PEM text, ids from the DER', `${pem(first)}\n${pem(second)}`, [derIdentifier(pem(first)), derIdentifier(pem(second))]],
    ['nothing', undefined, []],
    ['blank', '  ', []],
  ])('reads %s', (_name, text, ids) => {
    expect([...parseLeakReportKeys(text).keys()]).toEqual(ids);
  });

  it.each([
    ['text that is neither JSON nor PEM', 'hello'],
    ['broken JSON', '{"a": '],
    ['a PEM that is not a key', JSON.stringify({ a: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' })],
    ['an Ed25519 key', JSON.stringify({ a: generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString() })],
    ['a P-384 key', JSON.stringify({ a: generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString() })],
    ['a GitHub entry without its id', JSON.stringify({ public_keys: [{ key: pem(first) }] })],
  ])('refuses %s, naming the setting', (_name, text) => {
    expect(() => parseLeakReportKeys(text)).toThrow(/^TESSERA_LEAK_REPORT_PUBLIC_KEYS: /);
  });
});

describe('signature checks', () => {
  const keys = parseLeakReportKeys(JSON.stringify({ k1: pem(first) }));

  it('accepts the named key’s signature of exactly these bytes, and nothing else', () => {
    expect(signatureVerifies(keys, 'k1', signatureBy(first), body)).toBe(true);
    expect(signatureVerifies(keys, 'k1', signatureBy(first), Buffer.concat([body, Buffer.from(' ')]))).toBe(false);
    expect(signatureVerifies(keys, 'k1', signatureBy(second), body)).toBe(false);
    expect(signatureVerifies(keys, 'k2', signatureBy(first), body)).toBe(false);
    expect(signatureVerifies(keys, 'k1', 'AAAA', body)).toBe(false);
    expect(signatureVerifies(keys, 'k1', '%%%', body)).toBe(false);
  });

  it('refuses signed reports with one message, and all of them when no key is configured', () => {
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error instanceof TesseraError ? [error.code, error.message] : error;
      }
      return 'accepted';
    };
    expect(signedReporter(keys, 'k1', signatureBy(first), body)).toEqual({ kind: 'signature', keyId: 'k1' });
    expect(refusal(() => signedReporter(keys, 'k2', signatureBy(first), body))).toEqual(refusal(() => signedReporter(keys, 'k1', signatureBy(second), body)));
    expect(refusal(() => signedReporter(parseLeakReportKeys(undefined), 'k1', signatureBy(first), body))).toEqual([
      'UNAUTHORIZED', expect.stringContaining('TESSERA_LEAK_REPORT_PUBLIC_KEYS is not set'),
    ]);
  });
});
