import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { integerText } from './integer-text.js';

describe('integerText', () => {
  it('writes every number as String does', () => {
    fc.assert(fc.property(fc.oneof(fc.maxSafeInteger(), fc.integer(), fc.double()), (n) => {
      expect(integerText(n)).toBe(String(n));
    }));
  });

  it('at the edges: the small-integer range, six-digit groups with zeros, 2^53, beyond it, and values that are not integers', () => {
    for (const n of [0, -1, 2 ** 30 - 1, 2 ** 30, 2 ** 30 + 1, 1_000_000_000_000, 1_000_000_000_007, 999_999_999_999, 5_000_000_000_000_001 / 1_000, 2 ** 53 - 1, 2 ** 53, 2 ** 60, 1e21, 1.5e12 + 0.5, Number.POSITIVE_INFINITY, Number.NaN, -0]) {
      expect(integerText(n)).toBe(String(n));
    }
  });
});
