/**
 * Issue 20 item 3 on the built server: `kill -9` of `tessera serve` in the middle of deliveries loses no event.
 * After a restart every event arrives, in order; an event sent twice (the one in flight at the crash) carries the
 * same webhook-id both times.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initDatabase, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { freshTestDatabase, rawQuery } from '../testing/test-app.js';
import { WebhookReceiver } from '../testing/webhook-receiver.js';

const EVENTS = 12;
/** A short request timeout: the crashed instance's lease (three timeouts) ends soon after the restart. */
const env = { LOG_LEVEL: 'warn', TESSERA_WEBHOOK_TIMEOUT: '1s' };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const call = async (base: string, method: string, path: string, token: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
};

async function until(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('webhook delivery survives kill -9', { timeout: 120_000 }, () => {
  it('sends every event after a restart, in order, duplicates only with the same webhook-id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-webhooks-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const db = await freshTestDatabase(dir);
    const root = await initDatabase(db);
    const receiver = await WebhookReceiver.start();
    cleanups.push(() => receiver.close());
    let server: ServerProcess = await startServerProcess(db, env);
    cleanups.push(() => server.stop('SIGKILL'));

    const hook = await call(server.url, 'POST', '/v1/webhooks', root, { url: receiver.url, eventTypes: ['token.created'] });
    expect(hook.status).toBe(201);
    receiver.secrets.push(hook.body.secret);
    receiver.delayMs = 150;
    for (let i = 0; i < EVENTS; i++) {
      expect((await call(server.url, 'POST', '/v1/tokens', root, { name: `t${i}`, scopes: ['tokens:read'] })).status).toBe(201);
    }
    // Crash while deliveries are under way: some answered, one in flight, the rest still queued.
    await until(() => receiver.attempts.length >= 3, 30_000, () => `3 attempts, got ${receiver.attempts.length}`);
    await server.stop('SIGKILL');
    const beforeRestart = receiver.uniqueIds.length;
    expect(beforeRestart).toBeLessThan(EVENTS);

    receiver.delayMs = 0;
    server = await startServerProcess(db, env);
    await until(() => receiver.uniqueIds.length >= EVENTS, 60_000, () => `${EVENTS} events, got ${receiver.uniqueIds.length}`);

    // Every event written for the endpoint (in the transactions of the token creations), in the order written.
    const events = await rawQuery<{ event_id: string }>(db, 'select event_id from webhook_deliveries where endpoint_id = $1 order by seq', [hook.body.webhook.id]);
    expect(events).toHaveLength(EVENTS);
    expect(receiver.uniqueIds).toEqual(events.map((e) => e.event_id));
    expect(receiver.received.map((r) => r.body.data.token.name).filter((n, i, all) => all.indexOf(n) === i)).toEqual(
      Array.from({ length: EVENTS }, (_, i) => `t${i}`),
    );
    for (const r of receiver.received) expect(r.verifiedWith).toEqual([0]);
    // A duplicate is the same event again (same id, same body), never a new id for an old event.
    const bodies = new Map<string, string>();
    for (const r of receiver.received) {
      const body = JSON.stringify(r.body);
      expect(bodies.get(r.id) ?? body).toBe(body);
      bodies.set(r.id, body);
    }
    const log = await call(server.url, 'GET', `/v1/webhooks/${hook.body.webhook.id}/deliveries?limit=100`, root);
    expect(log.body.items.map((d: { status: string }) => d.status)).toEqual(Array(EVENTS).fill('delivered'));
  });
});
