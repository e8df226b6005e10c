import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './redact-secrets.js';
import { generateSecret } from './token-format.js';

const secret = generateSecret('tsr', (n) => randomBytes(n));
const body = secret.slice(4);
const jwt = 'eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiJwaWdlb24iLCJleHAiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLWJ5dGVz';

describe('redactSecrets', () => {
  it.each([
    ['a secret in a URL', `/v1/tokens/${secret}/rotate`, `/v1/tokens/${REDACTED}/rotate`],
    ['another account’s prefix', `key=acme42_${body}`, `key=${REDACTED}`],
    ['a mistyped, upper-case prefix', `TSR_${body}`, REDACTED],
    ['a percent-encoded underscore', `tsr%5F${body}`, REDACTED],
    ['a checksum-failing secret', `tsr_${body.slice(0, -1)}x`, REDACTED],
    ['a JWT in a header value', `Bearer ${jwt}`, `Bearer ${REDACTED}`],
    ['an unsigned JWT', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', REDACTED],
  ])('cuts %s', (_name, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it.each([
    ['a request id', 'req_AbCdEf12g3'],
    ['a token id and hint', 'tok_4hF9sWq2ZrT6yLpA1cNv0b tsr_AbCd…wXyZ'],
    ['a host name and an address', 'api.eyeglasses.example 10.0.0.1 2001:db8::1'],
    ['a SHA-256 hash', 'a'.repeat(64)],
    ['a date', '2027-01-31T12:00:00.000Z'],
  ])('leaves %s alone', (_name, text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it('stays linear on long lines built to make a regex backtrack', () => {
    const lines = ['a'.repeat(1_000_000), 'a_'.repeat(500_000), `${'e'.repeat(10)}y${'.ey'.repeat(300_000)}`];
    const started = performance.now();
    for (const line of lines) redactSecrets(line);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
