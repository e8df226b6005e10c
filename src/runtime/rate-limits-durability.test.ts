/**
 * Rate-limit windows on the built server (issue 19, item 4): after `kill -9` and a restart, a window remembers what
 * it had counted, less at most what the last flush interval (1 s) had not yet written.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { serveFresh, send as call, verifyContinuously, type Cleanups } from '../testing/durability.js';
import { startServerProcess } from '../testing/server-process.js';

/** The flush interval of `tessera serve` (config.ts `usageFlushIntervalMs`, which rate limits share with credits). */
const FLUSH_INTERVAL_MS = 1000;
/** What a flush may take on a loaded 2-core machine, beyond the interval itself. */
const WRITE_ALLOWANCE_MS = 1000;
/** The longest window (366 days, from the epoch): the test never runs across one's end in practice. */
const LIMIT = 100_000;
const SETTLED = 200;

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Checked = { code: string; ratelimits: { remaining: number; reset: number }[] };

describe('rate-limit windows survive a crash', { timeout: 180_000 }, () => {
  it('kill -9, then a restart: the window remembers what it counted, less at most one flush interval', async () => {
    const { server, db, root } = await serveFresh('tessera-rate-windows-', cleanups);
    const made = (await call(server.url, 'POST', '/v1/tokens', root, { name: 'limited', scopes: ['tokens:read'], limits: [{ name: 'per-year', limit: LIMIT, duration: '366 days' }] })).body as { secret: string };

    // Four clients, until SETTLED checks have passed and a flush interval (and a write) more has gone by.
    const load = verifyContinuously(server.url, () => ({ token: made.secret }));
    const { answeredAt, failures } = load;
    await expect.poll(() => answeredAt.length, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(SETTLED);
    await new Promise((resolve) => setTimeout(resolve, FLUSH_INTERVAL_MS + WRITE_ALLOWANCE_MS + 500));
    const killedAt = Date.now();
    server.child.kill('SIGKILL');
    await load.stop();
    await server.stop('SIGKILL');

    const restarted = await startServerProcess(db);
    cleanups.push(() => restarted.stop('SIGKILL'));
    const checked = (await call(restarted.url, 'POST', '/v1/verify', undefined, { token: made.secret })).body as Checked;
    expect(checked.code).toBe('VALID');
    // This check plus what the window remembered.
    const remembered = LIMIT - checked.ratelimits[0]!.remaining - 1;
    const settled = answeredAt.filter((at) => at < killedAt - FLUSH_INTERVAL_MS - WRITE_ALLOWANCE_MS).length;
    console.log(`rate-limit window after kill -9: ${answeredAt.length} checks answered, ${remembered} remembered, ${answeredAt.length - remembered} forgotten`);
    expect(failures).toEqual([]);
    expect(settled).toBeGreaterThanOrEqual(SETTLED);
    expect(remembered).toBeGreaterThanOrEqual(settled);
    expect(remembered).toBeLessThanOrEqual(answeredAt.length);
  });
});
