import { createHash, randomBytes as osRandomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BASE62_ALPHABET,
  DEFAULT_TOKEN_PREFIX,
  MALFORMED_SECRET_HINT,
  MAX_SECRET_LENGTH,
  SECRET_BODY_LENGTH,
  checkSecretShape,
  crc32Ascii,
  generateRandomString,
  generateSecret,
  hashSecret,
  isValidTokenPrefix,
  secretHint,
} from './token-format.js';

/** Deterministic random source for reproducible property runs: SHA-256 in counter mode over a seed. */
function seededBytes(seed: number): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let filled = 0; filled < n; counter++) {
      const block = createHash('sha256').update(`${seed}:${counter}`).digest();
      const take = Math.min(block.length, n - filled);
      out.set(block.subarray(0, take), filled);
      filled += take;
    }
    return out;
  };
}

/** Yields 0, 1, 2, … 255, 0, … : every byte value equally often. */
function countingBytes(): (n: number) => Uint8Array {
  let next = 0;
  return (n) => Uint8Array.from({ length: n }, () => next++ % 256);
}

const zeroBytes = (n: number): Uint8Array => new Uint8Array(n);
const prefixArb = fc.stringMatching(/^[a-z][a-z0-9]{1,15}$/);
const SECRET_CHARS = `${BASE62_ALPHABET}_`;

/** Fixtures computed independently with Python's zlib.crc32; they pin the format for external scanners. */
const KNOWN_SECRETS = [
  'tsr_00000000000000000000000000000000000000000000000000000000004Ofcse',
  'tsr_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv1jatfF',
  'acme9_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz4UbN8K',
];

describe('crc32Ascii', () => {
  it('matches the IEEE check value', () => {
    expect(crc32Ascii('123456789')).toBe(0xcbf43926);
    expect(crc32Ascii('')).toBe(0);
  });
});

describe('isValidTokenPrefix', () => {
  it.each([
    ['tsr', true],
    ['ab', true],
    ['a1', true],
    ['abcdefghijklmnop', true],
    ['a', false],
    ['abcdefghijklmnopq', false],
    ['1ab', false],
    ['Tsr', false],
    ['ts_r', false],
    ['ts-r', false],
    ['', false],
  ])('%j → %s', (prefix, expected) => {
    expect(isValidTokenPrefix(prefix)).toBe(expected);
  });
});

describe('generateSecret', () => {
  it('produces the pinned format for known random input', () => {
    expect(generateSecret('tsr', zeroBytes)).toBe(KNOWN_SECRETS[0]);
    expect(generateSecret('tsr', countingBytes())).toBe(KNOWN_SECRETS[1]);
  });

  it('round trips through checkSecretShape with the right prefix, length and charset', () => {
    fc.assert(
      fc.property(prefixArb, fc.integer(), (prefix, seed) => {
        const secret = generateSecret(prefix, seededBytes(seed));
        expect(checkSecretShape(secret)).toEqual({ ok: true, prefix });
        expect(secret).toHaveLength(prefix.length + 1 + SECRET_BODY_LENGTH);
        expect(secret.slice(prefix.length)).toMatch(/^_[0-9A-Za-z]{64}$/);
      }),
    );
  });

  it('uses the OS random source in production shape', () => {
    const a = generateSecret(DEFAULT_TOKEN_PREFIX, osRandomBytes);
    const b = generateSecret(DEFAULT_TOKEN_PREFIX, osRandomBytes);
    expect(a).not.toBe(b);
    expect(checkSecretShape(a).ok).toBe(true);
  });

  it.each(['', 'T', 'Tsr', '9ab', 'a_b'])('refuses the invalid prefix %j', (prefix) => {
    expect(() => generateSecret(prefix, zeroBytes)).toThrow(RangeError);
  });
});

describe('generateRandomString', () => {
  it('is unbiased: each byte value 0..247 maps to one char, so 256 distinct bytes give each char 4 times', () => {
    const counts = new Map<string, number>();
    for (const ch of generateRandomString(248, countingBytes())) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    expect([...counts.values()].every((n) => n === 4)).toBe(true);
  });

  it('skips bytes >= 248 instead of folding them onto the first chars', () => {
    const bytes = [248, 255, 0, 250, 61, 62];
    let i = 0;
    const source = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => bytes[i++ % bytes.length] ?? 0);
    expect(generateRandomString(3, source)).toBe('0z0');
  });

  it('draws every one of the 62 characters from the OS source', () => {
    const seen = new Set(generateRandomString(62 * 100, osRandomBytes));
    expect(seen.size).toBe(62);
  });

  it('gives up on a source that never yields a usable byte', () => {
    expect(() => generateRandomString(4, (n) => new Uint8Array(n).fill(255))).toThrow(/random source/);
  });

  it.each([0, 1, 17, 200])('returns exactly %i chars', (length) => {
    expect(generateRandomString(length, seededBytes(length))).toHaveLength(length);
  });
});

describe('checkSecretShape', () => {
  it.each(KNOWN_SECRETS)('accepts the known secret %s', (secret) => {
    expect(checkSecretShape(secret).ok).toBe(true);
  });

  it('accepts the longest prefix', () => {
    const secret = generateSecret('abcdefghijklmnop', zeroBytes);
    expect(secret).toHaveLength(MAX_SECRET_LENGTH);
    expect(checkSecretShape(secret)).toEqual({ ok: true, prefix: 'abcdefghijklmnop' });
  });

  const valid = KNOWN_SECRETS[1] as string;
  const body = valid.slice(4);
  it.each([
    ['empty', ''],
    ['no underscore', `tsr${body}`],
    ['body one char short', valid.slice(0, -1)],
    ['body one char long', `${valid}0`],
    ['dash in body', `tsr_${body.slice(0, 10)}-${body.slice(11)}`],
    ['non-ASCII in body', `tsr_${body.slice(0, 10)}é${body.slice(11)}`],
    ['non-ASCII in checksum', `${valid.slice(0, -1)}é`],
    ['space at the end', `${valid.slice(0, -1)} `],
    ['upper-case prefix', `TSR_${body}`],
    ['prefix starting with a digit', `9sr_${body}`],
    ['one-char prefix', `t_${body}`],
    ['two underscores', `ts_r_${body}`],
    ['prefix too long', `abcdefghijklmnopq_${body}`],
    ['far too long', 'a'.repeat(10_000)],
    ['Bearer-prefixed', `Bearer ${valid}`],
  ])('refuses %s as MALFORMED', (_label, presented) => {
    expect(checkSecretShape(presented)).toEqual({ ok: false, reason: 'MALFORMED' });
  });

  it('refuses a non-string at runtime', () => {
    expect(checkSecretShape(undefined as unknown as string)).toEqual({ ok: false, reason: 'MALFORMED' });
  });

  it('reports CHECKSUM for a well-shaped string whose checksum does not match', () => {
    expect(checkSecretShape(`tsr_${'0'.repeat(64)}`)).toEqual({ ok: false, reason: 'CHECKSUM' });
    expect(checkSecretShape(`tsr_${body.slice(0, -6)}zzzzzz`)).toEqual({ ok: false, reason: 'CHECKSUM' });
  });

  it('refuses every single-character substitution of a known secret (exhaustive)', () => {
    for (let pos = 0; pos < valid.length; pos++) {
      for (const ch of SECRET_CHARS) {
        if (ch === valid[pos]) continue;
        const mutated = valid.slice(0, pos) + ch + valid.slice(pos + 1);
        expect(checkSecretShape(mutated).ok, mutated).toBe(false);
      }
    }
  });

  it('refuses every single-character substitution anywhere in any valid secret (property)', () => {
    fc.assert(
      fc.property(prefixArb, fc.integer(), fc.nat(), fc.constantFrom(...SECRET_CHARS), (prefix, seed, at, ch) => {
        const secret = generateSecret(prefix, seededBytes(seed));
        const pos = at % secret.length;
        fc.pre(secret[pos] !== ch);
        const mutated = secret.slice(0, pos) + ch + secret.slice(pos + 1);
        expect(checkSecretShape(mutated).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('hashSecret', () => {
  it('is lowercase hex SHA-256 of the whole string', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const secret = KNOWN_SECRETS[0] as string;
    expect(hashSecret(secret)).toBe(createHash('sha256').update(secret).digest('hex'));
  });
});

describe('secretHint', () => {
  it('shows the prefix and four chars from each end of the body', () => {
    expect(secretHint(KNOWN_SECRETS[1] as string)).toBe('tsr_0123\u2026atfF');
    expect(secretHint(KNOWN_SECRETS[2] as string)).toBe('acme9_zzzz\u2026bN8K');
  });

  it.each(['', 'short', `tsr${'a'.repeat(65)}`, `TSR_${'a'.repeat(64)}`])(
    'hides a string that is not secret-shaped (%j)',
    (text) => {
      expect(secretHint(text)).toBe(MALFORMED_SECRET_HINT);
    },
  );
});
