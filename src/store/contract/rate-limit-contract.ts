/** The store contract for rate-limit windows (issue 19): counts added by flushes, read back summed, ended windows swept. */
import { describe, expect, it } from 'vitest';
import type { AccountRecord } from '../../core/types.js';
import { rateLimitWindowKeyOf, type RateLimitWindowKey } from '../rate-limit-store.js';
import type { Store } from '../store.js';
import { storeWithAccounts } from './fixtures.js';

const MINUTE = 60_000;

export function runRateLimitContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}: rate-limit windows`, () => {
    let store: Store;
    let acc: AccountRecord;
    let other: AccountRecord;

    storeWithAccounts(makeStore, (s, a, o) => {
      store = s;
      acc = a;
      other = o;
    });

    const windowOf = (startMs: number, change: Partial<RateLimitWindowKey> = {}): RateLimitWindowKey => ({
      accountId: acc.id,
      holder: 'token',
      holderId: 'tok_a',
      name: 'per-minute',
      durationMs: MINUTE,
      startMs,
      ...change,
    });
    const counts = async (keys: RateLimitWindowKey[]) => {
      const read = await store.readRateLimitCounts(keys);
      return keys.map((k) => read.get(rateLimitWindowKeyOf(k)));
    };

    it('adds deltas to a window’s count (two instances’ flushes sum), and reads only the windows asked for', async () => {
      const now = windowOf(100 * MINUTE);
      const previous = windowOf(99 * MINUTE);
      expect(await store.addRateLimitCounts([{ key: previous, count: 7 }, { key: now, count: 3 }])).toEqual([]);
      expect(await store.addRateLimitCounts([{ key: now, count: 4 }])).toEqual([]);
      expect(await counts([previous, now, windowOf(101 * MINUTE)])).toEqual([7, 7, undefined]);
      expect(await counts([now])).toEqual([7]);
    });

    it('keeps windows apart by account, holder, name and duration', async () => {
      const base = windowOf(10 * MINUTE);
      const variants = [
        windowOf(10 * MINUTE, { accountId: other.id }),
        windowOf(10 * MINUTE, { holder: 'identity' }),
        windowOf(10 * MINUTE, { holderId: 'tok_b' }),
        windowOf(10 * MINUTE, { name: 'per-minute-2' }),
        windowOf(10 * MINUTE, { durationMs: 2 * MINUTE }),
      ];
      await store.addRateLimitCounts([{ key: base, count: 1 }, ...variants.map((key, i) => ({ key, count: 10 + i }))]);
      expect(await counts([base, ...variants])).toEqual([1, 10, 11, 12, 13, 14]);
    });

    it('reads many holders at once (beyond one statement’s chunk)', async () => {
      const keys = Array.from({ length: 1200 }, (_, i) => windowOf(5 * MINUTE, { holderId: `tok_${i}` }));
      expect(await store.addRateLimitCounts(keys.map((key, i) => ({ key, count: i + 1 })))).toEqual([]);
      expect(await counts(keys)).toEqual(keys.map((_, i) => i + 1));
    });

    it('sweeps the windows no estimate reads any more: ended over a duration ago', async () => {
      const old = windowOf(10 * MINUTE);
      const previous = windowOf(11 * MINUTE);
      const current = windowOf(12 * MINUTE);
      const daily = windowOf(0, { name: 'per-day', durationMs: 1440 * MINUTE });
      await store.addRateLimitCounts([old, previous, current, daily].map((key) => ({ key, count: 2 })));
      // At 12:30, the estimate reads the 12:00 and 11:00 windows; 10:00 ended at 11:00, a duration before 12:00.
      expect(await store.sweepRateLimitWindows(12 * MINUTE + 30_000)).toBe(1);
      expect(await counts([old, previous, current, daily])).toEqual([undefined, 2, 2, 2]);
    });
  });
}
