import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['2 days', 172_800],
    ['10h', 36_000],
    ['1y', 31_557_600],
    ['90s', 90],
    ['15 minutes', 900],
    ['3600', 3600],
    [' 60 ', 60],
    [120, 120],
    [1.9, 1],
  ] as const)('reads %j as %d seconds', (input, seconds) => {
    expect(parseDuration(input)).toEqual({ ok: true, seconds });
  });

  it.each([['soon'], [''], ['-5m'], [0], [-3], ['0'], ['500ms'], [Number.NaN], [Number.POSITIVE_INFINITY], ['x'.repeat(200)]])(
    'refuses %j',
    (input) => {
      expect(parseDuration(input as string | number).ok).toBe(false);
    },
  );
});
