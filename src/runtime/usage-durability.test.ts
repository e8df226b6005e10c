/**
 * Usage under continuous checks of many distinct tokens, on the built server: SIGTERM loses none of it, and `kill -9`
 * loses at most what the last flush interval (1 s) had not yet written.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { serveFresh, send, verifyContinuously, type Cleanups } from '../testing/durability.js';
import type { ServerProcess } from '../testing/server-process.js';
import { rawQuery } from '../testing/test-app.js';

const TOKENS = 200;
/** `usageFlushIntervalMs` of `tessera serve` (config.ts). */
const FLUSH_INTERVAL_MS = 1000;
/** What a flush of a few hundred rows may take on a loaded 2-core machine, beyond the interval itself. */
const WRITE_ALLOWANCE_MS = 1000;

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serveWithTokens(): Promise<{ server: ServerProcess; db: string; secrets: string[] }> {
  const { server, db, root } = await serveFresh('tessera-usage-', cleanups);
  const secrets: string[] = [];
  for (let i = 0; i < TOKENS; i += 10) {
    const made = await Promise.all(Array.from({ length: 10 }, (_, j) => send(server.url, 'POST', '/v1/tokens', root, { name: `used ${i + j}`, scopes: ['tokens:read'] })));
    for (const response of made) secrets.push((response.body as { secret: string }).secret);
  }
  return { server, db, secrets };
}

/** Four clients check the tokens round and round until `stop()` (durability.ts). */
function checkContinuously(url: string, secrets: string[]) {
  let next = 0;
  return verifyContinuously(url, () => ({ token: secrets[next++ % secrets.length]!, scopes: ['tokens:read'] }));
}

async function usesWritten(db: string): Promise<number> {
  const [row] = await rawQuery<{ n: number | string | null }>(db, "select sum(use_count) as n from tokens where name like 'used %'");
  return Number(row?.n ?? 0);
}

describe('usage while many distinct tokens are checked', { timeout: 180_000 }, () => {
  it('SIGTERM: every acknowledged check is counted, none lost, none twice', async () => {
    const { server, db, secrets } = await serveWithTokens();
    const load = checkContinuously(server.url, secrets);
    // Every token checked at least once (fewer checks a second on a loaded machine), then a little more.
    await expect.poll(() => load.answeredAt.length, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(TOKENS);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await load.stop();
    // A check whose answer was lost may or may not have been counted: there must be none here.
    expect(load.failures).toEqual([]);
    // Stopped between flushes: what the last second counted is still only in memory.
    await server.stop('SIGTERM');
    expect(server.child.exitCode).toBe(0);
    expect(load.answeredAt.length).toBeGreaterThanOrEqual(TOKENS);
    expect(await usesWritten(db), `checks answered: ${load.answeredAt.length}`).toBe(load.answeredAt.length);
    const [events] = await rawQuery<{ n: number | string }>(db, 'select sum(count) as n from usage_events');
    expect(Number(events!.n)).toBe(load.answeredAt.length);
  });

  it('kill -9: every check acknowledged more than one flush interval before is counted, nothing more than was answered', async () => {
    const { server, db, secrets } = await serveWithTokens();
    const load = checkContinuously(server.url, secrets);
    // Every token checked at least once (slower on PostgreSQL), then past the flush interval and its allowance.
    await expect.poll(() => load.answeredAt.length, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(TOKENS);
    await new Promise((resolve) => setTimeout(resolve, FLUSH_INTERVAL_MS + WRITE_ALLOWANCE_MS + 500));
    const killedAt = Date.now();
    server.child.kill('SIGKILL');
    await load.stop();
    await server.stop('SIGKILL');
    const written = await usesWritten(db);
    const settled = load.answeredAt.filter((at) => at < killedAt - FLUSH_INTERVAL_MS - WRITE_ALLOWANCE_MS).length;
    expect(settled).toBeGreaterThanOrEqual(TOKENS);
    expect(written).toBeGreaterThanOrEqual(settled);
    expect(written).toBeLessThanOrEqual(load.answeredAt.length);
  });
});
