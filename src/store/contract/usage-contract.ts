/** The store contract for usage: events and per-minute roll-ups, listed and swept. */
import { describe, expect, it } from 'vitest';
import type { AccountRecord, TokenId } from '../../core/types.js';
import type { Store, UsageEventRecord, UsageMinuteDelta } from '../store.js';
import { at, storeWithAccounts, makeToken, insertTokens } from './fixtures.js';

export function runUsageContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store, acc: AccountRecord, other: AccountRecord;
    storeWithAccounts(makeStore, (...fresh) => ([store, acc, other] = fresh));

    describe('usage', () => {
      it('adds counts across batches and never moves lastUsedAt backward', async () => {
        const one = makeToken(acc.id, 'tok_1', { useCount: 2, lastUsedAt: at(1) });
        const two = makeToken(acc.id, 'tok_2');
        const twin = makeToken(other.id, 'tok_1');
        await insertTokens(store, [one, two, twin]);

        await store.applyUsage([
          { accountId: acc.id, tokenId: one.id, count: 3, lastUsedAt: at(50) },
          { accountId: acc.id, tokenId: two.id, count: 1, lastUsedAt: at(10) },
          { accountId: acc.id, tokenId: 'tok_gone' as TokenId, count: 5, lastUsedAt: at(10) },
        ]);
        await store.applyUsage([
          { accountId: acc.id, tokenId: one.id, count: 4, lastUsedAt: at(40) },
          { accountId: acc.id, tokenId: one.id, count: 1, lastUsedAt: at(45) },
          { accountId: acc.id, tokenId: two.id, count: 2, lastUsedAt: at(11) },
        ]);
        await store.applyUsage([]);

        expect(await store.getToken(acc.id, one.id)).toStrictEqual({ ...one, useCount: 10, lastUsedAt: at(50) });
        expect(await store.getToken(acc.id, two.id)).toStrictEqual({ ...two, useCount: 3, lastUsedAt: at(11) });
        expect(await store.getToken(other.id, twin.id)).toStrictEqual(twin);
      });

      const event = (n: number, overrides: Partial<UsageEventRecord> = {}): UsageEventRecord => ({
        id: `use_${String(n).padStart(4, '0')}`,
        accountId: acc.id,
        tokenId: 'tok_1' as TokenId,
        at: at(n),
        kind: 'verify',
        subject: 'GET /devices/d1',
        outcome: 'VALID',
        clientIp: '192.0.2.1',
        refusedBy: null,
        count: n,
        ...overrides,
      });
      const minute = (n: number, count: number, overrides: Partial<UsageMinuteDelta> = {}): UsageMinuteDelta => ({
        accountId: acc.id, tokenId: 'tok_1' as TokenId, minute: at(n), outcome: 'VALID', endpoint: 'GET /devices/{id}', refusedBy: null, count, ...overrides,
      });

      it('writes counters, raw events and roll-ups of one batch together, and roll-ups add up across batches', async () => {
        const one = makeToken(acc.id, 'tok_1');
        await insertTokens(store, [one]);
        await store.writeUsage({
          counters: [{ accountId: acc.id, tokenId: one.id, count: 3, lastUsedAt: at(2) }],
          events: [event(1), event(2), event(2, { id: 'use_x', outcome: 'INSUFFICIENT_SCOPE', subject: 'tokens:read', clientIp: null })],
          minutes: [minute(1, 1), minute(2, 1), minute(2, 1), minute(2, 1, { outcome: 'INSUFFICIENT_SCOPE', endpoint: null })],
        });
        await store.writeUsage({ counters: [], events: [], minutes: [minute(2, 5), minute(61, 7)] });
        await store.writeUsage({ counters: [], events: [], minutes: [] });
        expect((await store.getToken(acc.id, one.id))?.useCount).toBe(3);

        const perMinute = await store.listUsageBuckets({ accountId: acc.id, bucket: 'minute', limit: 100 });
        expect(perMinute.items).toStrictEqual([
          { bucket: at(1), tokenId: one.id, endpoint: 'GET /devices/{id}', outcome: 'VALID', refusedBy: null, count: 1 },
          { bucket: at(2), tokenId: one.id, endpoint: null, outcome: 'INSUFFICIENT_SCOPE', refusedBy: null, count: 1 },
          { bucket: at(2), tokenId: one.id, endpoint: 'GET /devices/{id}', outcome: 'VALID', refusedBy: null, count: 7 },
          { bucket: at(61), tokenId: one.id, endpoint: 'GET /devices/{id}', outcome: 'VALID', refusedBy: null, count: 7 },
        ]);
        const perHour = await store.listUsageBuckets({ accountId: acc.id, bucket: 'hour', outcome: 'VALID', limit: 100 });
        expect(perHour.items.map((b) => [b.bucket, b.count])).toStrictEqual([[at(0), 8], [at(60), 7]]);
        const perDay = await store.listUsageBuckets({ accountId: acc.id, bucket: 'day', endpoint: 'GET /devices/{id}', tokenId: one.id, limit: 100 });
        expect(perDay.items.map((b) => [b.bucket, b.count])).toStrictEqual([[at(0), 15]]);
        const window = await store.listUsageBuckets({ accountId: acc.id, bucket: 'minute', from: at(2).replace(':00.000Z', ':30.000Z'), to: at(2), limit: 100 });
        expect(window.items.map((b) => b.count)).toStrictEqual([1, 7]);
        expect((await store.listUsageBuckets({ accountId: other.id, bucket: 'day', limit: 10 })).items).toStrictEqual([]);

        const first = await store.listUsageBuckets({ accountId: acc.id, bucket: 'minute', limit: 3 });
        expect(first.items).toHaveLength(3);
        const rest = await store.listUsageBuckets({ accountId: acc.id, bucket: 'minute', limit: 3, cursor: first.nextCursor! });
        expect(rest).toStrictEqual({ items: [perMinute.items[3]], nextCursor: null });
      });

      it('keeps refusals apart by what refused them, in roll-ups and raw events, and filters on it', async () => {
        const limited = { outcome: 'RATE_LIMITED', endpoint: null };
        await store.writeUsage({
          counters: [],
          events: [
            event(1, { ...limited, subject: null, refusedBy: 'token:per-minute' }),
            event(2, { id: 'use_y', outcome: 'USAGE_EXCEEDED', subject: null, refusedBy: 'credits' }),
          ],
          minutes: [
            minute(1, 4, { ...limited, refusedBy: 'token:per-minute' }),
            minute(1, 2, { ...limited, refusedBy: 'identity:per-day' }),
            minute(1, 1, { ...limited, refusedBy: 'token:per-minute' }),
            minute(1, 3, { outcome: 'USAGE_EXCEEDED', endpoint: null, refusedBy: 'credits' }),
            minute(1, 9, { endpoint: null }),
          ],
        });
        const buckets = await store.listUsageBuckets({ accountId: acc.id, bucket: 'hour', limit: 100 });
        expect(buckets.items.map((b) => [b.outcome, b.refusedBy, b.count])).toStrictEqual([
          ['RATE_LIMITED', 'identity:per-day', 2], ['RATE_LIMITED', 'token:per-minute', 5], ['USAGE_EXCEEDED', 'credits', 3], ['VALID', null, 9],
        ]);
        const byLimit = await store.listUsageBuckets({ accountId: acc.id, bucket: 'day', refusedBy: 'token:per-minute', limit: 100 });
        expect(byLimit.items.map((b) => [b.refusedBy, b.count])).toStrictEqual([['token:per-minute', 5]]);
        const events = await store.listUsageEvents({ accountId: acc.id, limit: 10 });
        expect(events.items.map((e) => [e.outcome, e.refusedBy])).toStrictEqual([['USAGE_EXCEEDED', 'credits'], ['RATE_LIMITED', 'token:per-minute']]);
        expect((await store.listUsageEvents({ accountId: acc.id, refusedBy: 'credits', limit: 10 })).items.map((e) => e.id)).toStrictEqual(['use_y']);
      });

      it('lists raw events newest first with filters and pages, and sweeps those past retention', async () => {
        const events = [event(1), event(2), event(3, { outcome: 'REVOKED' }), event(4, { tokenId: 'tok_2' as TokenId }), event(5, { accountId: other.id })];
        await store.writeUsage({ counters: [], events, minutes: [] });
        const all = await store.listUsageEvents({ accountId: acc.id, limit: 100 });
        expect(all.items.map((e) => e.id)).toStrictEqual(['use_0004', 'use_0003', 'use_0002', 'use_0001']);
        expect(all.items[3]).toStrictEqual(events[0]);
        expect((await store.listUsageEvents({ accountId: acc.id, tokenId: 'tok_1', outcome: 'VALID', limit: 10 })).items.map((e) => e.id))
          .toStrictEqual(['use_0002', 'use_0001']);
        expect((await store.listUsageEvents({ accountId: acc.id, from: at(2), to: at(3), limit: 10 })).items).toHaveLength(2);
        expect((await store.listUsageEvents({ accountId: acc.id, endpoint: 'GET /nowhere', limit: 10 })).items).toHaveLength(0);
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listUsageEvents({ accountId: acc.id, limit: 3, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((e) => e.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(seen).toStrictEqual(['use_0004', 'use_0003', 'use_0002', 'use_0001']);

        expect(await store.deleteUsageEventsBefore(at(3))).toBe(2);
        expect((await store.listUsageEvents({ accountId: acc.id, limit: 10 })).items.map((e) => e.id)).toStrictEqual(['use_0004', 'use_0003']);
      });
    });
  });
}
