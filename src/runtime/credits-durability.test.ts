/**
 * Credits spent in memory on the built server (issue 19, item 4): SIGTERM writes every one, and after `kill -9` and a
 * restart at most what the last flush interval (1 s) had not yet written is forgotten.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { serveFresh, send as call, verifyContinuously, type Cleanups } from '../testing/durability.js';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

const TOKENS = 20;
const START = 1_000_000;
/** The flush interval of `tessera serve` (config.ts `usageFlushIntervalMs`, which credits share). */
const FLUSH_INTERVAL_MS = 1000;
/** What a flush of a few dozen deltas may take on a loaded 2-core machine, beyond the interval itself. */
const WRITE_ALLOWANCE_MS = 1000;

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serveWithCredits(): Promise<{ server: ServerProcess; db: string; root: string; tokens: { id: string; secret: string }[] }> {
  const { server, db, root } = await serveFresh('tessera-credits-', cleanups);
  const tokens: { id: string; secret: string }[] = [];
  for (let i = 0; i < TOKENS; i += 1) {
    const made = (await call(server.url, 'POST', '/v1/tokens', root, { name: `metered ${i}`, scopes: ['tokens:read'], credits: { remaining: START } })).body as {
      token: { id: string };
      secret: string;
    };
    tokens.push({ id: made.token.id, secret: made.secret });
  }
  return { server, db, root, tokens };
}

/** Four clients check the tokens round and round until `stop()` (durability.ts). */
function spendContinuously(url: string, tokens: { secret: string }[]) {
  let next = 0;
  return verifyContinuously(url, () => ({ token: tokens[next++ % tokens.length]!.secret }));
}

/** Credits spent as the store tells them, read through the API of a (new) server. */
async function spentStored(url: string, root: string, tokens: { id: string }[]): Promise<number> {
  let spent = 0;
  for (const { id } of tokens) {
    const view = (await call(url, 'GET', `/v1/tokens/${id}`, root)).body as { credits: { remaining: number } };
    spent += START - view.credits.remaining;
  }
  return spent;
}

describe('credits spent in memory survive a stop and a crash', { timeout: 180_000 }, () => {
  it('SIGTERM: every acknowledged check’s credits are written, none twice', async () => {
    const { server, db, root, tokens } = await serveWithCredits();
    const load = spendContinuously(server.url, tokens);
    await expect.poll(() => load.answeredAt.length, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(TOKENS * 5);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await load.stop();
    expect(load.failures).toEqual([]);
    await server.stop('SIGTERM');
    expect(server.child.exitCode).toBe(0);
    const restarted = await startServerProcess(db);
    cleanups.push(() => restarted.stop('SIGKILL'));
    expect(await spentStored(restarted.url, root, tokens)).toBe(load.answeredAt.length);
  });

  it('kill -9, then a restart: at most one flush interval of spending is forgotten, nothing is spent twice', async () => {
    const { server, db, root, tokens } = await serveWithCredits();
    const load = spendContinuously(server.url, tokens);
    await expect.poll(() => load.answeredAt.length, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(TOKENS * 5);
    await new Promise((resolve) => setTimeout(resolve, FLUSH_INTERVAL_MS + WRITE_ALLOWANCE_MS + 500));
    const killedAt = Date.now();
    server.child.kill('SIGKILL');
    await load.stop();
    await server.stop('SIGKILL');
    const restarted = await startServerProcess(db);
    cleanups.push(() => restarted.stop('SIGKILL'));
    const spent = await spentStored(restarted.url, root, tokens);
    const settled = load.answeredAt.filter((at) => at < killedAt - FLUSH_INTERVAL_MS - WRITE_ALLOWANCE_MS).length;
    const lastInterval = load.answeredAt.filter((at) => at >= killedAt - FLUSH_INTERVAL_MS - WRITE_ALLOWANCE_MS).length;
    console.log(`credits after kill -9: ${load.answeredAt.length} checks answered, ${spent} written, ${load.answeredAt.length - spent} forgotten (answered in the last ${FLUSH_INTERVAL_MS + WRITE_ALLOWANCE_MS} ms: ${lastInterval})`);
    expect(settled).toBeGreaterThanOrEqual(TOKENS * 5);
    expect(spent).toBeGreaterThanOrEqual(settled);
    expect(spent).toBeLessThanOrEqual(load.answeredAt.length);
    // The restarted server goes on from the stored balance.
    const [first] = tokens;
    const before = (await call(restarted.url, 'GET', `/v1/tokens/${first!.id}`, root)).body as { credits: { remaining: number } };
    const checked = (await call(restarted.url, 'POST', '/v1/verify', undefined, { token: first!.secret })).body as { credits: { remaining: number } };
    expect(checked.credits.remaining).toBe(before.credits.remaining - 1);
  });
});
