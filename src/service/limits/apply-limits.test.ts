/**
 * The common limited check is decided by a short path (apply-limits.ts `quickPass`); every other by the full one. A
 * check that names its cost (`usage: { cost: 1 }`) always takes the full path, so two tokens made alike, one checked
 * each way at the same moments, must get the same answers: whatever the limits, credits, refills and time between
 * checks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { TestClock } from '../../testing/test-app.js';
import type { Actor } from '../actor.js';
import { createTessera, type Tessera } from '../tessera.js';
import type { VerifyResult } from '../verify/check-token.js';

const limitArb = fc.record({ limit: fc.integer({ min: 1, max: 6 }), duration: fc.constantFrom('1s', '10s', '1m') });
const creditsArb = fc.option(
  fc.record({
    remaining: fc.integer({ min: 0, max: 12 }),
    refill: fc.option(fc.record({ amount: fc.integer({ min: 1, max: 5 }), interval: fc.constant('1m') }), { nil: undefined }),
    strict: fc.boolean(),
  }),
  { nil: undefined },
);
/** Time between checks, ms: mostly within a window, sometimes across one or several. */
const gapArb = fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 400, max: 70_000 }));

/** What an answer says, without the token it names (the two tokens differ in id only). */
function told(result: VerifyResult) {
  const r = result as VerifyResult & { ratelimits?: { name: string; limit: number; remaining: number; resetAtMs: number; exceeded: boolean }[]; credits?: unknown; identity?: unknown };
  return {
    code: r.code,
    identity: r.identity,
    ratelimits: r.ratelimits?.map(({ name, limit, remaining, resetAtMs, exceeded }) => ({ name, limit, remaining, resetAtMs, exceeded })),
    credits: r.credits,
  };
}

describe('the short path of a limited check', () => {
  let dir: string;
  let tessera: Tessera;
  let root: Actor;
  const clock = new TestClock();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-quick-limits-'));
    const store = await createSqliteStore({ filename: join(dir, 'db.sqlite') });
    await store.migrate();
    tessera = createTessera({ store, clock, usageFlushIntervalMs: 3_600_000 });
    const boot = await tessera.bootstrap();
    root = await tessera.authenticate({ secret: boot!.root.secret, scheme: 'bearer' }, '127.0.0.1');
  });
  afterAll(async () => {
    await tessera?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every check as the full path does', async () => {
    let made = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(limitArb, { maxLength: 2 }), creditsArb, fc.array(gapArb, { minLength: 1, maxLength: 40 }), async (rules, credits, gaps) => {
        fc.pre(rules.length > 0 || credits !== undefined);
        const options = {
          scopes: ['a:b'],
          limits: rules.map((r, i) => ({ name: `l${i}`, ...r })),
          ...(credits ? { credits } : {}),
        };
        const quick = await tessera.createToken(root, { name: `quick-${made}`, ...options });
        const full = await tessera.createToken(root, { name: `full-${made++}`, ...options });
        for (const gap of gaps) {
          clock.ms += gap;
          const viaQuick = await tessera.verify({ secret: quick.secret });
          const viaFull = await tessera.verify({ secret: full.secret, usage: { cost: 1 } });
          expect(told(viaQuick)).toEqual(told(viaFull));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('is the path a plain limited check takes, and counts and spends as the full one does', async () => {
    const made = await tessera.createToken(root, { name: 'counted', scopes: ['a:b'], limits: [{ name: 'm', limit: 100, duration: '1m' }], credits: { remaining: 50 } });
    // The first check reads the window and the balance (the full path); the next ones find them held.
    expect(told(await tessera.verify({ secret: made.secret }))).toMatchObject({ code: 'VALID', credits: { remaining: 49 } });
    const quick = vi.spyOn(tessera.ctx.rateLimiter, 'quickCheck');
    const full = vi.spyOn(tessera.ctx.rateLimiter, 'check');
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(told(await tessera.verify({ secret: made.secret })));
    expect(answers.map((a) => [a.ratelimits?.[0]?.remaining, a.credits])).toEqual([[98, { remaining: 48 }], [97, { remaining: 47 }], [96, { remaining: 46 }], [95, { remaining: 45 }]]);
    expect(quick.mock.results.map((r) => r.value !== undefined)).toEqual([true, true, true, true]);
    expect(full).not.toHaveBeenCalled();
    quick.mockRestore();
    full.mockRestore();
  });

  it('a limited verdict is plain data: written as JSON it holds the limit’s state and nothing of the limiter', async () => {
    const made = await tessera.createToken(root, { name: 'as JSON', scopes: ['a:b'], limits: [{ name: 'm', limit: 100, duration: '1m' }] });
    await tessera.verify({ secret: made.secret });
    const verdict = await tessera.verify({ secret: made.secret });
    const written = JSON.parse(JSON.stringify(verdict)) as { ratelimits: Record<string, unknown>[] };
    expect(Object.keys(written.ratelimits[0]!).sort()).toEqual(['durationMs', 'exceeded', 'holder', 'holderId', 'limit', 'name', 'remaining', 'resetAtMs', 'resetInMs']);
  });
});
