/** PostgreSQL stops under a running Tessera and comes back: 503s with a clear text meanwhile, then recovery. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { initDatabase, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { currentTestStore } from '../testing/test-stores.js';

const call = async (base: string, method: string, path: string, token?: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(currentTestStore() !== 'postgres')('PostgreSQL outage', { timeout: 120_000 }, () => {
  // A cluster of this test's own: stopping the run's shared one would fail every other test.
  let pg: PostgresServer;
  let strict: ServerProcess;
  let lenient: ServerProcess;
  let root: string;

  beforeAll(async () => {
    pg = (await startPostgres({ private: true }))!;
    const url = await pg.createDatabase();
    root = await initDatabase(url);
    strict = await startServerProcess(url, { LOG_LEVEL: 'warn' });
    lenient = await startServerProcess(url, { LOG_LEVEL: 'error', TESSERA_STALE_VERIFY_SECONDS: '300' });
  });
  afterAll(async () => {
    await strict?.stop('SIGKILL');
    await lenient?.stop('SIGKILL');
    await pg?.stop();
  });

  it('answers 503 while the database is down (cached verify only within the staleness bound) and recovers without a restart', async () => {
    const cached = (await call(strict.url, 'POST', '/v1/tokens', root, { name: 'cached', scopes: ['tokens:read'] })).body;
    const uncached = (await call(strict.url, 'POST', '/v1/tokens', root, { name: 'uncached', scopes: ['tokens:read'] })).body;
    for (const server of [strict, lenient]) {
      expect((await call(server.url, 'POST', '/v1/verify', undefined, { token: cached.secret })).body.code).toBe('VALID');
    }

    await pg.pause!();

    // Default bound 0 s: fails closed even for a token it holds in memory.
    const down = await eventually(() => call(strict.url, 'POST', '/v1/verify', undefined, { token: cached.secret }), (r) => r.status === 503);
    expect(down.status).toBe(503);
    expect(down.body.requestError.serviceException).toMatchObject({ messageId: 'SERVICE_UNAVAILABLE', text: expect.stringMatching(/database is not reachable/) });
    const list = await call(strict.url, 'GET', '/v1/tokens', root);
    expect([list.status, list.body.requestError.serviceException.messageId]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    const create = await call(lenient.url, 'POST', '/v1/tokens', root, { name: 'during outage', scopes: ['tokens:read'] });
    expect(create.status).toBe(503);
    expect((await call(strict.url, 'GET', '/readyz')).status).toBe(503);
    // Each 503 leaves a warn line naming the cause, and the per-status counter counts it.
    const warnings = () => strict.stdout().split('\n').filter(Boolean).map((line) => JSON.parse(line)).filter((e) => e.level === 40);
    // The log reaches this process through a pipe, possibly after the answer.
    await expect.poll(() => warnings().filter((e) => e.status === 503).length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    expect(warnings()).toEqual(expect.arrayContaining([
      expect.objectContaining({ msg: expect.stringMatching(/^service unavailable: the database is not reachable/), status: 503, route: '/v1/verify' }),
      expect.objectContaining({ msg: expect.stringMatching(/^service unavailable: the database is not reachable/), status: 503, route: '/v1/tokens' }),
      expect.objectContaining({ msg: 'readiness check failed: the database is not reachable', status: 503 }),
    ]));
    const metrics = await (await fetch(`${strict.url}/metrics`)).text();
    expect(Number(/^tessera_http_responses_total\{status="503"\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);

    // TESSERA_STALE_VERIFY_SECONDS=300: a token already in memory still verifies; one never seen cannot.
    expect((await call(lenient.url, 'POST', '/v1/verify', undefined, { token: cached.secret })).body.code).toBe('VALID');
    expect((await call(lenient.url, 'POST', '/v1/verify', undefined, { token: uncached.secret })).status).toBe(503);

    await pg.resume!();

    for (const server of [strict, lenient]) {
      const back = await eventually(() => call(server.url, 'POST', '/v1/verify', undefined, { token: uncached.secret }), (r) => r.status === 200);
      expect(back.body.code).toBe('VALID');
      expect((await eventually(() => call(server.url, 'GET', '/readyz'), (r) => r.status === 200)).status).toBe(200);
    }
    expect((await call(strict.url, 'GET', '/v1/tokens', root)).status).toBe(200);

    // The change feed is listening again: a revoke through one instance reaches the other within a second.
    await eventually(() => call(lenient.url, 'POST', '/v1/verify', undefined, { token: cached.secret }), (r) => r.body?.code === 'VALID');
    expect((await call(strict.url, 'POST', `/v1/tokens/${cached.token.id}/revoke`, root, {})).status).toBe(200);
    const started = Date.now();
    const revoked = await eventually(() => call(lenient.url, 'POST', '/v1/verify', undefined, { token: cached.secret }), (r) => r.body?.code === 'REVOKED', 3000);
    expect(revoked.body.code).toBe('REVOKED');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
