import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccountId } from '../../core/types.js';
import { RateLimiter, type LimitHolder } from './rate-limiter.js';

const account = 'acc_rl' as AccountId;
const holder = (limit: number, durationMs: number, name = 'l'): LimitHolder => ({ holder: 'token', holderId: 'tok_a', limits: [{ name, limit, durationMs }] });

describe('RateLimiter', () => {
  it('never lets more than the limit through in any span of one duration (sliding window), whatever the arrival times and costs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 400 }), cost: fc.integer({ min: 1, max: 5 }) }), { maxLength: 200 }),
        (limit, arrivals) => {
          const limiter = new RateLimiter();
          const durationMs = 1000;
          let now = 1_000_000;
          const passed: { at: number; cost: number }[] = [];
          for (const { gap, cost } of arrivals) {
            now += gap;
            if (limiter.check(account, [holder(limit, durationMs)], undefined, cost, now).passed) passed.push({ at: now, cost });
          }
          // The estimate weighs the previous window by its overlap: within any one duration ending at a check,
          // at most limit + the previous window's rounding (under one unit per check) gets through.
          for (const { at } of passed) {
            const inSpan = passed.filter((p) => p.at > at - durationMs && p.at <= at).reduce((n, p) => n + p.cost, 0);
            expect(inSpan).toBeLessThanOrEqual(2 * limit);
          }
          // Within one fixed window the bound is exact.
          const byWindow = new Map<number, number>();
          for (const p of passed) byWindow.set(Math.floor(p.at / durationMs), (byWindow.get(Math.floor(p.at / durationMs)) ?? 0) + p.cost);
          for (const total of byWindow.values()) expect(total).toBeLessThanOrEqual(limit);
        },
      ),
    );
  });

  it('weighs the previous window: right after a full window, only the unused share is left', () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 10; i += 1) expect(limiter.check(account, [holder(10, 1000)], undefined, 1, 5_000 + i).passed).toBe(true);
    // A quarter into the next window, three quarters of the previous 10 still count (7, rounded down): 3 are left.
    const states = [1, 2, 3, 4].map(() => limiter.check(account, [holder(10, 1000)], undefined, 1, 6_250));
    expect(states.map((s) => s.passed)).toEqual([true, true, true, false]);
    expect(states[3]!.states[0]).toMatchObject({ remaining: 0, exceeded: true, resetInMs: 750 });
  });

  it('is all or nothing across limits, and counts only the named ones', () => {
    const limiter = new RateLimiter();
    const two: LimitHolder = { holder: 'token', holderId: 'tok_b', limits: [{ name: 'small', limit: 1, durationMs: 60_000 }, { name: 'big', limit: 100, durationMs: 60_000 }] };
    expect(limiter.check(account, [two], undefined, 1, 0).passed).toBe(true);
    const refused = limiter.check(account, [two], undefined, 1, 1);
    expect(refused.passed).toBe(false);
    expect(refused.states.map((s) => [s.name, s.remaining])).toEqual([['small', 0], ['big', 99]]);
    expect(limiter.check(account, [two], ['big'], 1, 2).states.map((s) => [s.name, s.remaining])).toEqual([['big', 98]]);
    expect(limiter.outcomes).toEqual({ passed: 2, rate_limited: 1 });
  });

  it('keeps holders and accounts apart', () => {
    const limiter = new RateLimiter();
    expect(limiter.check(account, [holder(1, 1000)], undefined, 1, 0).passed).toBe(true);
    expect(limiter.check('acc_other' as AccountId, [holder(1, 1000)], undefined, 1, 0).passed).toBe(true);
    expect(limiter.check(account, [{ ...holder(1, 1000), holder: 'identity' }], undefined, 1, 0).passed).toBe(true);
    expect(limiter.check(account, [holder(1, 1000)], undefined, 1, 0).passed).toBe(false);
  });
});
