/**
 * Issue 20 item 5 on the deployment it matters for: a leak report signed like GitHub's, sent to one `tessera serve`
 * process, stops the token on another process sharing the PostgreSQL database within a second.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../testing/server-process.js';
import { currentTestStore } from '../testing/test-stores.js';
import { startTwoInstances, type TwoInstances } from '../testing/two-instances.js';

const PROPAGATION_BOUND_MS = 1000;
const KEY_ID = 'leak-test-key';
const scanner = generateKeyPairSync('ec', { namedCurve: 'P-256' });

async function call(base: string, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as any };
}

describe.skipIf(currentTestStore() !== 'postgres')('a leak report through one instance', { timeout: 120_000 }, () => {
  let pair: TwoInstances | undefined;
  let a: ServerProcess;
  let b: ServerProcess;
  let root: string;

  beforeAll(async () => {
    const keys = JSON.stringify({ [KEY_ID]: scanner.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    ({ a, b, root } = pair = await startTwoInstances({ LOG_LEVEL: 'warn', TESSERA_LEAK_REPORT_PUBLIC_KEYS: keys }));
    // Two server starts on a loaded 2-core machine can take longer than the default hook timeout.
  }, 120_000);
  afterAll(async () => pair?.stop());

  const verifyOn = async (server: ServerProcess, secret: string) => (await call(server.url, '/v1/verify', JSON.stringify({ token: secret }))).body.code as string;

  it('stops the token on the other instance within 1 s, and says true_positive', async () => {
    const created = await call(a.url, '/v1/tokens', JSON.stringify({ name: 'leaked', scopes: ['tokens:read'] }), { authorization: `Bearer ${root}` });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    // B has the token in memory before the report: it must hear the change, not just read the database later.
    expect(await verifyOn(b, secret)).toBe('VALID');
    const body = JSON.stringify([{ token: secret, type: 'tessera_token', url: 'https://github.com/o/r/blob/1/.env', source: 'content' }]);
    const signature = sign('sha256', Buffer.from(body), scanner.privateKey).toString('base64');
    const started = performance.now();
    const reported = await call(a.url, '/v1/leaks', body, { 'github-public-key-identifier': KEY_ID, 'github-public-key-signature': signature });
    expect(reported.status).toBe(200);
    expect(reported.body).toEqual([{ token_raw: secret, token_type: 'tessera_token', label: 'true_positive' }]);
    while ((await verifyOn(b, secret)) !== 'DISABLED') {
      if (performance.now() - started > 5000) throw new Error('the leak never reached instance B');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(performance.now() - started).toBeLessThan(PROPAGATION_BOUND_MS);
  });
});
