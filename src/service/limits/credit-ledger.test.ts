/**
 * Credits held in memory by two instances on one database (two stores, two services, one process): they converge on
 * what both spent, and a burst split across them overspends by at most a tenth (docs/limits.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditKeyOf } from '../../store/credit-store.js';
import { currentTestStore } from '../../testing/test-stores.js';
import { startTwoServices, type TwoServices } from '../../testing/two-services.js';
import type { Actor } from '../actor.js';
import type { Tessera } from '../tessera.js';

/** Short, so the instances see each other quickly; their timers run as a server's do (heartbeats, flushes). */
const FLUSH_MS = 50;

describe('credits held in memory by two instances', () => {
  let pair: TwoServices | undefined;
  let a: Tessera;
  let b: Tessera;
  let root: Actor;

  beforeAll(async () => {
    ({ a, b, root } = pair = await startTwoServices('tessera-credit-ledger-', FLUSH_MS));
  });
  afterAll(async () => pair?.close());

  it('converge: what one instance spent reaches the other at its next flush', async () => {
    const made = await a.createToken(root, { name: 'shared', scopes: ['a:b'], credits: { remaining: 1000 } });
    for (let i = 0; i < 10; i += 1) expect((await a.verify({ secret: made.secret })).code).toBe('VALID');
    await a.ctx.credits.flush();
    await b.ctx.credits.flush();
    expect((await b.verify({ secret: made.secret })) as { credits?: unknown }).toMatchObject({ credits: { remaining: 989 } });
    await b.ctx.credits.flush();
    await a.ctx.credits.flush();
    expect((await a.verify({ secret: made.secret })) as { credits?: unknown }).toMatchObject({ credits: { remaining: 988 } });
  });

  it('every spend reaches the store: before a flush, while it writes and after it (each balance keeps its pending delta)', async () => {
    const made = await a.createToken(root, { name: 'counted', scopes: ['a:b'], credits: { remaining: 1000 } });
    const spend = async (n: number) => {
      for (let i = 0; i < n; i += 1) expect((await a.verify({ secret: made.secret })).code).toBe('VALID');
    };
    const key = { accountId: root.accountId, holder: 'token' as const, holderId: made.token.id };
    const stored = async () => (await a.ctx.store.readCredits([key])).get(creditKeyOf(key))?.remaining;
    await spend(3);
    const writing = a.ctx.credits.flush();
    await spend(2);
    await writing;
    await spend(4);
    await a.ctx.credits.flush();
    expect(await stored()).toBe(991);
    await spend(1);
    await a.ctx.credits.flush();
    expect(await stored()).toBe(990);
  });

  // PostgreSQL only, as several instances are (docs/deploy.md): on one SQLite file the busier instance keeps the write
  // lock, the other's flush waits for it, and what that one spent stays unknown to the busier one (1.25 × N was seen).
  it.skipIf(currentTestStore() !== 'postgres')('a burst split across both instances passes at least N and at most 1.1 × N of N credits', async () => {
    const N = 500;
    const made = await a.createToken(root, { name: 'burst', scopes: ['a:b'], credits: { remaining: N } });
    let passed = 0;
    const client = async (instance: Tessera) => {
      for (let i = 0; i < N; i += 1) if ((await instance.verify({ secret: made.secret })).code === 'VALID') passed += 1;
    };
    await Promise.all([client(a), client(a), client(b), client(b)]);
    console.log(`credits, two instances in one process, burst of ${4 * N} checks: ${passed} passed of N = ${N} (${(passed / N).toFixed(3)} × N)`);
    expect(passed).toBeGreaterThanOrEqual(N);
    expect(passed).toBeLessThanOrEqual(1.1 * N);
  });
});
