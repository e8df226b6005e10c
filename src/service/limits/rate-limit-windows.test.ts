/**
 * Rate-limit windows kept in the store (issue 19, item 4): two instances on one database (two stores, two services, one
 * process) converge on what both counted, a service started again on the database remembers a window, and a burst
 * split across two instances passes at most 1.1 × the limit (docs/limits.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTestStore } from '../../testing/test-stores.js';
import { startTwoServices, type TwoServices } from '../../testing/two-services.js';
import type { Actor } from '../actor.js';
import type { Tessera } from '../tessera.js';

/** Short, so the instances see each other quickly; their timers run as a server's do (heartbeats, flushes). */
const FLUSH_MS = 50;

type Limited = { code: string; ratelimits?: { name: string; remaining: number }[] };

describe('rate-limit windows kept in the store', () => {
  let pair: TwoServices | undefined;
  let a: Tessera;
  let b: Tessera;
  let root: Actor;
  const open = () => pair!.open();

  beforeAll(async () => {
    ({ a, b, root } = pair = await startTwoServices('tessera-rate-windows-', FLUSH_MS));
  });
  afterAll(async () => pair?.close());

  const limited = (name: string, limit: number, duration = 3600) =>
    a.createToken(root, { name, scopes: ['a:b'], limits: [{ name: 'per-hour', limit, duration }] });
  const remaining = async (instance: Tessera, secret: string) => ((await instance.verify({ secret })) as Limited).ratelimits![0]!.remaining;

  it('converge: what one instance counted reaches the other at its next flush', async () => {
    const made = await limited('shared', 1000);
    for (let i = 0; i < 10; i += 1) expect((await a.verify({ secret: made.secret })).code).toBe('VALID');
    await a.ctx.rateLimiter.flush();
    expect(await remaining(b, made.secret)).toBe(989);
    await b.ctx.rateLimiter.flush();
    await a.ctx.rateLimiter.flush();
    expect(await remaining(a, made.secret)).toBe(988);
  });

  it('a service started again on the database goes on with the window (what was flushed), and a refusal counts nothing', async () => {
    const made = await limited('restarted', 5);
    const c = await open();
    for (let i = 0; i < 4; i += 1) expect((await c.verify({ secret: made.secret })).code).toBe('VALID');
    await c.close();
    const d = await open();
    try {
      expect(await remaining(d, made.secret)).toBe(0);
      const refused = (await d.verify({ secret: made.secret })) as Limited;
      expect([refused.code, refused.ratelimits![0]!.remaining]).toEqual(['RATE_LIMITED', 0]);
    } finally {
      await d.close();
    }
  });

  // PostgreSQL only, as several instances are (docs/deploy.md; on one SQLite file the busier instance keeps the write lock).
  it.skipIf(currentTestStore() !== 'postgres')('a burst split across both instances passes at least N × 0.98 and at most N × 1.1', async () => {
    const N = 500;
    const made = await limited('burst', N);
    let passed = 0;
    const client = async (instance: Tessera) => {
      for (let i = 0; i < N; i += 1) if ((await instance.verify({ secret: made.secret })).code === 'VALID') passed += 1;
    };
    await Promise.all([client(a), client(a), client(b), client(b)]);
    console.log(`rate limit, two instances in one process, burst of ${4 * N} checks: ${passed} passed of N = ${N} (${(passed / N).toFixed(3)} × N)`);
    expect(passed).toBeGreaterThanOrEqual(0.98 * N);
    expect(passed).toBeLessThanOrEqual(1.1 * N);
  });
});
