/**
 * Disable and enable of the same tokens at the same moment through two `tessera serve` processes on one PostgreSQL
 * database (the soak once saw a 500 there): every answer is 200 or a 4xx in the envelope, never a 5xx, and each
 * token ends in the state of the change that committed last.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../testing/server-process.js';
import { startTwoInstances, type TwoInstances } from '../testing/two-instances.js';

const TOKENS = 6;
const ROUNDS = 30;

async function call(base: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, text, body: text.startsWith('{') ? JSON.parse(text) : undefined };
}

describe('disable and enable of the same tokens through two instances on PostgreSQL', { timeout: 180_000 }, () => {
  let pair: TwoInstances | undefined;
  let servers: ServerProcess[];
  let root: string;

  beforeAll(async () => {
    pair = await startTwoInstances({ LOG_LEVEL: 'warn' });
    ({ root } = pair);
    servers = [pair.a, pair.b];
  });
  afterAll(async () => pair?.stop());

  it('never answers 5xx, and the last committed change is what each token says', async () => {
    const ids: string[] = [];
    const secrets: string[] = [];
    for (let i = 0; i < TOKENS; i++) {
      const created = await call(servers[0]!.url, 'POST', '/v1/tokens', root, { name: `toggled ${i}`, scopes: ['tokens:read'] });
      expect(created.status, created.text).toBe(201);
      ids.push(created.body.token.id);
      secrets.push(created.body.secret);
    }
    const answers: { status: number; text: string }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Each token disabled and enabled through both instances at once, with creates and revokes of other tokens
      // beside them, as in the soak.
      const toggles = ids.flatMap((id, i) =>
        servers.flatMap((server, s) => [
          call(server.url, 'POST', `/v1/tokens/${id}/${(i + s + round) % 2 === 0 ? 'disable' : 'enable'}`, root, {}),
          call(server.url, 'POST', `/v1/tokens/${id}/${(i + s + round) % 2 === 0 ? 'enable' : 'disable'}`, root, {}),
        ]),
      );
      // Checks of the same tokens: each instance writes their use counts (a flush a second) while they change.
      const checks = secrets.flatMap((secret) =>
        servers.map((server) => fetch(`${server.url}/v1/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: secret }),
        }).then((res) => ({ status: res.status, text: '' }))),
      );
      const bystanders = servers.map(async (server) => {
        const made = await call(server.url, 'POST', '/v1/tokens', root, { name: 'bystander', scopes: ['tokens:read'] });
        return [made, await call(server.url, 'POST', `/v1/tokens/${made.body?.token?.id}/revoke`, root, {})];
      });
      answers.push(...(await Promise.all(toggles)), ...(await Promise.all(checks)), ...(await Promise.all(bystanders)).flat());
    }
    const failed = answers.filter((a) => a.status >= 500);
    const logged = servers.flatMap((s) => s.stdout().split('\n').filter((line) => line.includes('"level":50'))).slice(0, 3);
    expect(failed.map((a) => `${a.status} ${a.text}`), logged.join('\n')).toEqual([]);
    for (const answer of answers) expect([200, 201], answer.text).toContain(answer.status);

    // Both instances agree with the audit log's last change of each token.
    for (const id of ids) {
      const audit = await call(servers[1]!.url, 'GET', `/v1/audit?tokenId=${id}&limit=1`, root);
      const last = audit.body.items[0].action as string;
      for (const server of servers) {
        const read = await call(server.url, 'GET', `/v1/tokens/${id}`, root);
        expect(read.body.enabled, `${id} after ${last}`).toBe(last === 'token.enable');
      }
    }
  });
});
