import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findSecrets } from './find-secrets.js';
import { generateSecret } from './token-format.js';

const secret = (prefix = 'tsr') => generateSecret(prefix, (n) => randomBytes(n));
/** The same secret with its last checksum character changed: the shape of a secret, not one. */
const broken = (s: string) => s.slice(0, -1) + (s.endsWith('a') ? 'b' : 'a');

describe('findSecrets', () => {
  const real = secret();
  const custom = secret('acme2');

  it.each([
    ['alone', real, [{ secret: real, line: 1, column: 1 }]],
    ['in an env file', `A=1\nTESSERA_TOKEN=${real}\n`, [{ secret: real, line: 2, column: 15 }]],
    ['quoted in JSON', `{"token":"${real}"}`, [{ secret: real, line: 1, column: 11 }]],
    ['glued to text before it', `Bearerxyz${real}`, [{ secret: real, line: 1, column: 10 }]],
    ['after an underscore', `MY_${real}`, [{ secret: real, line: 1, column: 4 }]],
    ['with another prefix', `x ${custom} y`, [{ secret: custom, line: 1, column: 3 }]],
    ['two on one line, then one more', `${real} ${custom}\n\n${real}`, [
      { secret: real, line: 1, column: 1 },
      { secret: custom, line: 1, column: real.length + 2 },
      { secret: real, line: 3, column: 1 },
    ]],
  ])('finds a secret %s', (_name, text, expected) => {
    expect(findSecrets(text)).toEqual(expected);
  });

  it.each([
    ['a checksum-failing look-alike', broken(real)],
    ['a body one character too long', `${real}x`],
    ['a body one character too short', real.slice(0, -1)],
    ['no prefix', real.slice(3)],
    ['an upper-case prefix', `TSR${real.slice(3)}`],
    ['an empty text', ''],
  ])('finds nothing in %s', (_name, text) => {
    expect(findSecrets(text)).toEqual([]);
  });

  it('finds every real secret embedded anywhere, and nothing else, in any text', () => {
    const filler = fc.string({ unit: fc.constantFrom(' ', '\n', '=', '"', 'a', 'Z', '9', '_', '.', '-'), maxLength: 40 });
    fc.assert(
      fc.property(fc.array(fc.tuple(filler, fc.boolean()), { minLength: 1, maxLength: 6 }), filler, (parts, tail) => {
        const planted: string[] = [];
        let text = '';
        for (const [before, real] of parts) {
          const s = secret();
          // A separator keeps filler characters from extending the body (then it would not be a secret).
          text += `${before} ${real ? s : broken(s)} `;
          if (real) planted.push(s);
        }
        text += tail;
        expect(findSecrets(text).map((f) => f.secret)).toEqual(planted);
      }),
      { numRuns: 200 },
    );
  });

  it('reports the line and column where the secret starts', () => {
    const text = `one\ntwo\n   ${real}`;
    const [found] = findSecrets(text);
    const lines = text.split('\n');
    expect(lines[found!.line - 1]!.slice(found!.column - 1)).toBe(real);
  });
});
