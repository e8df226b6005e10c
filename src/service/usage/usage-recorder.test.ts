import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountId, TokenId } from '../../core/types.js';
import { startTestApp, type TestApp } from '../../testing/test-app.js';
import { EVENTS_PER_WRITE } from './usage-writer.js';
import { turnsDuring } from '../../testing/event-loop-turns.js';

let t: TestApp;
let accountId: AccountId;

beforeAll(async () => {
  // A 10-second usage window (the default), the test clock standing on a window boundary.
  t = await startTestApp({ tessera: { usage: { windowMs: 10_000 } } });
  t.clock.ms = Date.parse('2026-06-01T12:00:00.000Z');
  accountId = (await t.request('GET', '/v1/account', { token: t.rootSecret })).body.id;
});
afterAll(async () => t.close());

const recorder = () => t.tessera.ctx.usage;
const events = (tokenId: string) => t.store.listUsageEvents({ accountId, tokenId, limit: 100 });
const buckets = (tokenId: string) => t.store.listUsageBuckets({ accountId, tokenId, bucket: 'minute', limit: 100 });
const useCount = async (tokenId: string) => (await t.store.getToken(accountId, tokenId as TokenId))?.useCount;
const check = (secret: string, scopes = ['tokens:read']) => t.tessera.verify({ secret, scopes, ip: '192.0.2.1' });

describe('usage recorder', () => {
  it('writes use counts on every flush, and a window’s events and roll-ups once it has closed', async () => {
    const made = await t.createToken({ name: 'windowed', scopes: ['tokens:read'] });
    await check(made.secret);
    t.clock.advance(3);
    await check(made.secret);
    await recorder().flushClosed();
    expect(await useCount(made.id)).toBe(2);
    expect((await events(made.id)).items).toEqual([]);
    expect((await buckets(made.id)).items).toEqual([]);

    // Still the same window: the check adds to the event begun before the last flush.
    t.clock.advance(3);
    await check(made.secret);
    await recorder().flushClosed();
    expect(await useCount(made.id)).toBe(3);
    expect((await events(made.id)).items).toEqual([]);

    // The window has closed: one event for the three identical checks, at the first one's time.
    t.clock.advance(4);
    await check(made.secret);
    await check(made.secret, ['tokens:delete']);
    await recorder().flushClosed();
    expect((await events(made.id)).items.map((e) => [e.at, e.subject, e.outcome, e.count])).toEqual([
      ['2026-06-01T12:00:00.000Z', 'tokens:read', 'VALID', 3],
    ]);
    expect((await buckets(made.id)).items.map((b) => [b.bucket, b.outcome, b.count])).toEqual([['2026-06-01T12:00:00.000Z', 'VALID', 3]]);
    expect(await useCount(made.id)).toBe(4);

    // flush() writes the open window too (shutdown, tests); a denied check is an event but not a use.
    await recorder().flush();
    const rows = (await events(made.id)).items.map((e) => [e.at, e.subject, e.outcome, e.count]);
    expect(rows.sort()).toEqual([
      ['2026-06-01T12:00:00.000Z', 'tokens:read', 'VALID', 3],
      ['2026-06-01T12:00:10.000Z', 'tokens:delete', 'INSUFFICIENT_SCOPE', 1],
      ['2026-06-01T12:00:10.000Z', 'tokens:read', 'VALID', 1],
    ]);
    expect((await buckets(made.id)).items.map((b) => b.count).reduce((a, b) => a + b)).toBe(5);
    expect(await useCount(made.id)).toBe(4);
  });

  it('keeps everything of a batch the database refused, and writes it with the next', async () => {
    const made = await t.createToken({ name: 'refused once', scopes: ['tokens:read'] });
    t.clock.advance(60);
    await check(made.secret);
    const write = t.store.writeUsage;
    let refused = 0;
    t.store.writeUsage = async () => {
      refused += 1;
      throw new Error('database unavailable');
    };
    try {
      await recorder().flush();
    } finally {
      t.store.writeUsage = write;
    }
    expect(refused).toBe(1);
    expect(await useCount(made.id)).toBe(0);
    await check(made.secret);
    await recorder().flush();
    expect(await useCount(made.id)).toBe(2);
    expect((await events(made.id)).items.map((e) => e.count)).toEqual([2]);
    expect((await buckets(made.id)).items.map((b) => b.count)).toEqual([2]);
  });
});

/** A token checked `n` times within one usage window, each from an address of its own (an event each); the window then closed. */
async function checksFromAddresses(name: string, n: number, net: number) {
  const made = await t.createToken({ name, scopes: ['tokens:read'] });
  t.clock.ms += 10_000 - (t.clock.ms % 10_000);
  for (let i = 0; i < n; i++) await t.tessera.verify({ secret: made.secret, scopes: ['tokens:read'], ip: `10.${net}.${i >> 8}.${i & 255}` });
  t.clock.ms += 10_000;
  return made;
}

describe('usage recorder under many distinct checks', () => {
  it('builds a closed window of thousands of events in slices, so checks are answered in between, and writes every one', async () => {
    const n = 2500;
    const made = await checksFromAddresses('many addresses', n, 0);
    const turns = await turnsDuring(() => recorder().flushClosed());
    expect(turns).toBeGreaterThanOrEqual(2);
    const written = await t.store.listUsageEvents({ accountId, tokenId: made.id, limit: 1000 });
    expect(written.items).toHaveLength(1000);
    expect(await useCount(made.id)).toBe(n);
    const rolled = (await buckets(made.id)).items;
    expect(rolled.reduce((sum, b) => sum + b.count, 0)).toBe(n);
  });
});

describe('usage recorder writing in parts', () => {
  it('merges identical events of a window, whichever came between them', async () => {
    const alternating = await t.createToken({ name: 'alternating', scopes: ['tokens:read', 'tokens:update'] });
    const single = await t.createToken({ name: 'single', scopes: ['tokens:read'] });
    t.clock.advance(10_000 - (t.clock.ms % 10_000));
    for (const scopes of [['tokens:read'], ['tokens:update'], ['tokens:read'], ['tokens:update'], ['tokens:read']]) await check(alternating.secret, scopes);
    await check(single.secret);
    t.clock.advance(10_000);
    await recorder().flushClosed();
    expect((await events(alternating.id)).items.map((e) => [e.subject, e.count]).sort()).toEqual([['tokens:read', 3], ['tokens:update', 2]]);
    expect((await events(single.id)).items.map((e) => e.count)).toEqual([1]);
  });

  it('a part the database refuses goes back with every part after it: the parts before stay stored, nothing is written twice', async () => {
    const n = 1800;
    const made = await checksFromAddresses('parts', n, 1);
    const write = t.store.writeUsage.bind(t.store);
    const parts: number[] = [];
    t.store.writeUsage = async (batch) => {
      parts.push(batch.counters.length + batch.events.length);
      // The counters, then the first part of events, are stored; the second part of events is refused.
      if (parts.length === 3) throw new Error('database unavailable');
      return write(batch);
    };
    try {
      await recorder().flushClosed();
    } finally {
      t.store.writeUsage = write;
    }
    expect(parts.slice(1)).toEqual([EVENTS_PER_WRITE, EVENTS_PER_WRITE]);
    expect(await useCount(made.id)).toBe(n);
    const stored = async () => {
      const all = [];
      let cursor: string | undefined;
      do {
        const page = await t.store.listUsageEvents({ accountId, tokenId: made.id, limit: 1000, ...(cursor ? { cursor } : {}) });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return all;
    };
    expect((await stored()).length).toBe(EVENTS_PER_WRITE);
    await recorder().flush();
    const all = await stored();
    expect(all.length).toBe(n);
    expect(new Set(all.map((e) => e.clientIp)).size).toBe(n);
    expect((await buckets(made.id)).items.reduce((sum, b) => sum + b.count, 0)).toBe(n);
    expect(await useCount(made.id)).toBe(n);
  });
});

describe('usage recorder memory cap', () => {
  let capped: TestApp;
  beforeAll(async () => {
    capped = await startTestApp({ tessera: { usage: { maxPendingEvents: 2 } } });
  });
  afterAll(async () => capped.close());

  it('drops the oldest raw events beyond the cap, counted, and keeps the roll-ups and use counts exact', async () => {
    const made = await capped.createToken({ name: 'busy', scopes: ['tokens:read', 'tokens:update'] });
    for (const scopes of [['tokens:read'], ['tokens:update'], ['tokens:delete'], ['tokens:read', 'tokens:update']]) {
      await capped.tessera.verify({ secret: made.secret, scopes });
    }
    await capped.tessera.ctx.usage.flush();
    const account: AccountId = (await capped.request('GET', '/v1/account', { token: capped.rootSecret })).body.id;
    const kept = await capped.store.listUsageEvents({ accountId: account, tokenId: made.id, limit: 10 });
    expect(kept.items.map((e) => e.subject).sort()).toEqual(['tokens:delete', 'tokens:read tokens:update']);
    expect(capped.tessera.ctx.usage.dropped).toBe(2);
    const rolled = await capped.store.listUsageBuckets({ accountId: account, tokenId: made.id, bucket: 'minute', limit: 10 });
    expect(rolled.items.map((b) => [b.outcome, b.count]).sort()).toEqual([['INSUFFICIENT_SCOPE', 1], ['VALID', 3]]);
    expect((await capped.store.getToken(account, made.id as TokenId))?.useCount).toBe(3);
  });
});
