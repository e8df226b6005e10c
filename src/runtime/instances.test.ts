/** Several `tessera serve` processes on one PostgreSQL database: shared truth within a second, nothing lost. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../testing/server-process.js';
import { currentTestStore } from '../testing/test-stores.js';
import { startTwoInstances, type TwoInstances } from '../testing/two-instances.js';

/** The bound the issue sets for a change made through one instance to be honoured by another. */
const PROPAGATION_BOUND_MS = 1000;

const call = async (base: string, method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

describe.skipIf(currentTestStore() !== 'postgres')('two instances on one PostgreSQL database', { timeout: 120_000 }, () => {
  let pair: TwoInstances | undefined;
  let a: ServerProcess;
  let b: ServerProcess;
  let root: string;

  beforeAll(async () => {
    // A one-second usage window: the usage test below sees events and roll-ups a second after the checks.
    ({ a, b, root } = pair = await startTwoInstances({ LOG_LEVEL: 'warn', TESSERA_USAGE_WINDOW_SECONDS: '1' }));
    await call(a.url, 'PATCH', '/v1/account/policy', root, { permissionsEditable: true });
  });
  afterAll(async () => pair?.stop());

  const verifyOn = (server: ServerProcess, secret: string, scopes?: string[]) =>
    call(server.url, 'POST', '/v1/verify', undefined, { token: secret, ...(scopes ? { scopes } : {}) });

  /** Keeps B busy verifying other tokens while the change is made, as a loaded instance would be. */
  function loadOn(server: ServerProcess, secret: string): () => Promise<number> {
    let running = true;
    let done = 0;
    const worker = async () => {
      while (running) {
        await verifyOn(server, secret).catch(() => undefined);
        done += 1;
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    return async () => {
      running = false;
      await Promise.all(workers);
      return done;
    };
  }

  /** Makes the change on A, then polls B until `honoured`; returns the delay in ms. */
  async function propagation(secret: string, change: () => Promise<void>, honoured: () => Promise<boolean>): Promise<number> {
    const bystander = await call(a.url, 'POST', '/v1/tokens', root, { name: 'load', scopes: ['tokens:read'] });
    const stopLoad = loadOn(b, bystander.body.secret);
    try {
      // B answers from memory before the change: the token is cached there.
      expect((await verifyOn(b, secret)).body.code).toBe('VALID');
      const started = performance.now();
      await change();
      while (!(await honoured())) {
        if (performance.now() - started > 5000) throw new Error('change never reached instance B');
        await new Promise((r) => setTimeout(r, 10));
      }
      return performance.now() - started;
    } finally {
      expect(await stopLoad()).toBeGreaterThan(0);
    }
  }

  const fresh = async (extra: Record<string, unknown> = {}) =>
    (await call(a.url, 'POST', '/v1/tokens', root, { name: 'shared', scopes: ['tokens:read', 'audit:read'], ...extra })).body as { secret: string; token: { id: string } };

  it('a revoke, disable, rotate or permission change through A is honoured by B within 1 s, under load', async () => {
    const delays: Record<string, number> = {};

    const revoked = await fresh();
    delays.revoke = await propagation(revoked.secret,
      async () => expect((await call(a.url, 'POST', `/v1/tokens/${revoked.token.id}/revoke`, root, {})).status).toBe(200),
      async () => (await verifyOn(b, revoked.secret)).body.code === 'REVOKED');

    const disabled = await fresh();
    delays.disable = await propagation(disabled.secret,
      async () => expect((await call(a.url, 'POST', `/v1/tokens/${disabled.token.id}/disable`, root, {})).status).toBe(200),
      async () => (await verifyOn(b, disabled.secret)).body.code === 'DISABLED');

    const rotated = await fresh();
    delays.rotate = await propagation(rotated.secret,
      async () => expect((await call(a.url, 'POST', `/v1/tokens/${rotated.token.id}/rotate`, root, {})).status).toBe(200),
      async () => (await verifyOn(b, rotated.secret)).body.code === 'NOT_FOUND');

    const narrowed = await fresh();
    expect((await verifyOn(b, narrowed.secret, ['audit:read'])).body.code).toBe('VALID');
    delays.permissions = await propagation(narrowed.secret,
      async () => expect((await call(a.url, 'PATCH', `/v1/tokens/${narrowed.token.id}`, root, { scopes: ['tokens:read'] })).status).toBe(200),
      async () => (await verifyOn(b, narrowed.secret, ['audit:read'])).body.code === 'INSUFFICIENT_SCOPE');

    for (const [change, ms] of Object.entries(delays)) expect(ms, change).toBeLessThan(PROPAGATION_BOUND_MS);
  });

  it('concurrent creates with one chosen id through both instances give one 201 and 409s', async () => {
    for (let round = 0; round < 5; round++) {
      const body = { id: `race_${round}`, name: 'race', scopes: ['tokens:read'] };
      const results = await Promise.all([a, b, a, b].map((s) => call(s.url, 'POST', '/v1/tokens', root, body)));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    }
  });

  it('PATCH with the same If-Match through both instances: one wins, the other gets 412 and loses nothing', async () => {
    const { token } = await fresh();
    const patch = (s: ServerProcess, name: string) => call(s.url, 'PATCH', `/v1/tokens/${token.id}`, root, { name }, { 'if-match': '"1"' });
    const [fromA, fromB] = await Promise.all([patch(a, 'from A'), patch(b, 'from B')]);
    expect([fromA.status, fromB.status].sort()).toEqual([200, 412]);
    const winner = fromA.status === 200 ? 'from A' : 'from B';
    const stored = await call(b.url, 'GET', `/v1/tokens/${token.id}`, root);
    expect(stored.body).toMatchObject({ name: winner, version: 2 });
  });

  it('usage batched by both instances adds up exactly', async () => {
    const used = await fresh();
    const perInstance = 60;
    await Promise.all([a, b].map(async (s) => {
      for (let i = 0; i < perInstance; i++) expect((await verifyOn(s, used.secret, ['tokens:read'])).body.code).toBe('VALID');
    }));
    const deadline = Date.now() + 10_000;
    let total = 0;
    while (Date.now() < deadline) {
      const usage = await call(a.url, 'GET', `/v1/usage?tokenId=${used.token.id}&bucket=day`, root);
      total = usage.body.items.reduce((sum: number, item: { count: number }) => sum + item.count, 0);
      if (total >= 2 * perInstance) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(total).toBe(2 * perInstance);
    const token = await call(b.url, 'GET', `/v1/tokens/${used.token.id}`, root);
    expect(token.body.useCount).toBe(2 * perInstance);
    const events = await call(a.url, 'GET', `/v1/usage/events?tokenId=${used.token.id}&limit=200`, root);
    // Identical checks in one usage window are coalesced into one event; their counts add up to every check.
    expect(events.body.items.reduce((sum: number, e: { count: number }) => sum + e.count, 0)).toBe(2 * perInstance);
  });
});
