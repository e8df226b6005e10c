/** What requests and checks leave in the log at the default level and at debug, and the per-status counter. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../runtime/start-server.js';
import { startTestApp } from '../testing/test-app.js';

async function loggedApp(level: 'info' | 'debug') {
  const lines: string[] = [];
  const app = await startTestApp({ logger: createLogger(level, { write: (line: string) => void lines.push(line) }) });
  const { secret, id } = await app.createToken({ name: 'checked', scopes: ['tokens:read'] });
  return { app, secret, id, entries: () => lines.map((line) => JSON.parse(line)), text: () => lines.join('\n') };
}

describe('logging at the default level (info)', () => {
  it('writes no line per request or check, and one checks line with the counts by outcome', async () => {
    const { app, secret, entries, text } = await loggedApp('info');
    try {
      expect((await app.request('POST', '/v1/verify', { body: { token: secret, scopes: ['tokens:read'] } })).body.code).toBe('VALID');
      expect((await app.request('POST', '/v1/verify', { body: { token: secret, scopes: ['tokens:read'] } })).body.code).toBe('VALID');
      expect((await app.request('POST', '/v1/verify', { body: { token: secret, scopes: ['tokens:write'] } })).body.code).toBe('INSUFFICIENT_SCOPE');
      expect((await app.request('POST', '/v1/verify', { body: { token: `${secret.slice(0, -4)}AAAA` } })).body.code).toBe('NOT_FOUND');
      expect((await app.request('GET', '/no/such/route')).status).toBe(404);
      expect(entries().filter((e) => e.msg === 'request completed' || e.msg === 'incoming request' || e.msg === 'check')).toEqual([]);
    } finally {
      await app.close();
    }
    // Written at close for the checks of this short run (otherwise once a minute).
    const summaries = entries().filter((e) => e.msg === 'checks');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ level: 30, checks: 4, verify: { VALID: 2, INSUFFICIENT_SCOPE: 1, NOT_FOUND: 1 }, authorize: {} });
    expect(text()).not.toContain(secret);
  });

  it('counts every response by status for /metrics', async () => {
    const { app, secret } = await loggedApp('info');
    try {
      await app.request('POST', '/v1/verify', { body: { token: secret } });
      await app.request('GET', '/no/such/route');
      await app.request('GET', '/v1/tokens');
      const metrics = (await app.request('GET', '/metrics')).text;
      const count = (status: number) => Number(new RegExp(`^tessera_http_responses_total\\{status="${status}"\\} (\\d+)`, 'm').exec(metrics)?.[1]);
      // The token's creation (201) and its verify (200); the unknown route; the unauthenticated list.
      expect([count(201), count(200), count(404), count(401)]).toEqual([1, 1, 1, 1]);
    } finally {
      await app.close();
    }
  });
});

describe('logging at debug', () => {
  it('writes one check line per verify with its outcome and token id, beside the request lines', async () => {
    const { app, secret, id, entries, text } = await loggedApp('debug');
    try {
      const valid = await app.request('POST', '/v1/verify', { body: { token: secret, scopes: ['tokens:read'] } });
      const unknown = await app.request('POST', '/v1/verify', { body: { token: `${secret.slice(0, -4)}AAAA` } });
      const checks = entries().filter((e) => e.msg === 'check');
      expect(checks).toEqual([
        expect.objectContaining({ level: 20, check: 'verify', code: 'VALID', tokenId: id, reqId: valid.headers.get('x-request-id') }),
        expect.objectContaining({ level: 20, check: 'verify', code: 'NOT_FOUND', tokenId: null }),
      ]);
      const ids = [valid.headers.get('x-request-id'), unknown.headers.get('x-request-id')];
      const completed = entries().filter((e) => e.msg === 'request completed' && ids.includes(e.reqId));
      expect(completed.map((e) => e.res.statusCode)).toEqual([200, 200]);
    } finally {
      await app.close();
    }
    expect(text()).not.toContain(secret);
  });
});
