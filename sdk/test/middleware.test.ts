// The SDK middleware end to end: each example app (Fastify, Express, Hono) in front of a real Tessera server,
// both listening on 127.0.0.1, through one shared table of cases.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../src/testing/test-app.js';
import { freePort } from '../../src/testing/server-process.js';
import { startExample as startFastify } from '../../examples/sdk-fastify/app.js';
import { startExample as startExpress } from '../../examples/sdk-express/app.js';
import { startExample as startHono } from '../../examples/sdk-hono/app.js';

const messaging = readFileSync(new URL('../../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');
const FORBIDDEN_EXACT = '{"requestError":{"serviceException":{"messageId":"FORBIDDEN","text":"Forbidden"}}}';
const CACHE_TTL_MS = 300;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  const applied = await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: messaging, format: 'yaml' } });
  expect(applied.status).toBe(200);
});
afterAll(async () => t?.close());

type Example = { url: string; close: () => Promise<unknown> };
const frameworks: [string, (options: Parameters<typeof startFastify>[0]) => Promise<Example>][] = [
  ['fastify', startFastify],
  ['express', startExpress],
  ['hono', startHono],
];

async function call(base: string, method: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { method, headers, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

async function issueJwt(scope: string, issuerScopes: string[]): Promise<{ jwt: string; issuerId: string }> {
  const issuer = await t.createToken({ name: 'issuer', profileId: 'app-user', scopes: [...issuerScopes, 'tokens:issue'] });
  const res = await t.request('POST', '/v1/auth/issue-token', { token: issuer.secret, body: { scope, expires_in: '1h' } });
  expect(res.status).toBe(200);
  return { jwt: res.body.token, issuerId: issuer.id };
}

describe.each(frameworks)('SDK middleware on %s (example app against a running Tessera)', (_name, start) => {
  let app: Example;
  beforeAll(async () => {
    app = await start({ baseUrl: t.baseUrl, cacheTtlMs: CACHE_TTL_MS, clock: t.clock.now });
  });
  afterAll(async () => app?.close());

  it('answers 401 with a bare Bearer challenge and the envelope when no token is presented', async () => {
    const res = await call(app.url, 'GET', '/sms/1/logs');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera"');
    expect(res.body).toEqual({ requestError: { serviceException: { messageId: 'UNAUTHORIZED', text: 'a token is required' } } });
  });

  it.each([
    ['an unknown token', { authorization: 'Bearer tsr_not_a_real_token' }],
    ['a malformed Authorization header', { authorization: 'Basic Zm9vOmJhcg==' }],
    ['a garbage JWT', { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }],
  ])('answers 401 invalid_token for %s', async (_case, headers) => {
    const res = await call(app.url, 'GET', '/sms/1/logs', headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera", error="invalid_token"');
    expect(res.body.requestError.serviceException.messageId).toBe('UNAUTHORIZED');
  });

  it('answers 403 with exactly the messaging API’s body and the scope that would do', async () => {
    const sender = await t.createToken({ name: 'sender', scopes: ['sms:message:send'] });
    const res = await call(app.url, 'GET', '/sms/1/logs', bearer(sender.secret));
    expect(res.status).toBe(403);
    expect(res.text).toBe(FORBIDDEN_EXACT);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera", error="insufficient_scope", scope="sms:logs:read"');
  });

  it('lets the right scope through with the identity on the request (Bearer and X-API-Key)', async () => {
    const reader = await t.createToken({ name: 'log reader', profileId: 'ops-bot', scopes: ['sms:logs:read'] });
    for (const headers of [bearer(reader.secret), { 'x-api-key': reader.secret }]) {
      const res = await call(app.url, 'GET', '/sms/1/logs', headers);
      expect(res.status).toBe(200);
      expect(res.body.caller).toMatchObject({ tokenId: reader.id, profileId: 'ops-bot', name: 'log reader', scopes: ['sms:logs:read'], via: 'verify' });
      expect(res.body.caller.accountId).toMatch(/^acc_/);
    }
  });

  it('counts every check of a rate-limited token at Tessera (no cached pass) and answers 429 with the RateLimit fields', async () => {
    const limited = await t.createToken({ name: 'limited', scopes: ['sms:logs:read'], limits: [{ name: 'per-hour', limit: 2, duration: '1h' }] });
    const passes = [await call(app.url, 'GET', '/sms/1/logs', bearer(limited.secret)), await call(app.url, 'GET', '/sms/1/logs', bearer(limited.secret))];
    expect(passes.map((r) => r.status)).toEqual([200, 200]);
    expect(passes.map((r) => r.headers.get('ratelimit')?.replace(/;t=\d+$/, ''))).toEqual(['"per-hour";r=1', '"per-hour";r=0']);
    expect(passes[0]!.headers.get('ratelimit-policy')).toBe('"per-hour";q=2;w=3600');
    const refused = await call(app.url, 'GET', '/sms/1/logs', bearer(limited.secret));
    expect(refused.status).toBe(429);
    expect(refused.body.requestError.serviceException.messageId).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit')).toMatch(/^"per-hour";r=0;t=\d+$/);
  });

  it('counts every check of a token with credits at Tessera (no cached pass) and answers 429 USAGE_EXCEEDED once they are spent', async () => {
    const metered = await t.createToken({ name: 'metered', scopes: ['sms:logs:read'], credits: { remaining: 2 } });
    const passes = [await call(app.url, 'GET', '/sms/1/logs', bearer(metered.secret)), await call(app.url, 'GET', '/sms/1/logs', bearer(metered.secret))];
    expect(passes.map((r) => [r.status, r.body.caller.credits])).toEqual([[200, { remaining: 1 }], [200, { remaining: 0 }]]);
    const refused = await call(app.url, 'GET', '/sms/1/logs', bearer(metered.secret));
    expect([refused.status, refused.body.requestError.serviceException.messageId]).toEqual([429, 'USAGE_EXCEEDED']);
  });

  it('answers 400 invalid_request for a token in two places', async () => {
    const reader = await t.createToken({ name: 'reader', scopes: ['sms:logs:read'] });
    const res = await call(app.url, 'GET', '/sms/1/logs', { ...bearer(reader.secret), 'x-api-key': reader.secret });
    expect(res.status).toBe(400);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera", error="invalid_request"');
    expect(res.body.requestError.serviceException.messageId).toBe('BAD_REQUEST');
  });

  it('requireQuery: asks Tessera, which applies the catalog (inbound-message:read covers SMS)', async () => {
    const inbound = await t.createToken({ name: 'inbound', scopes: ['inbound-message:read'] });
    const logs = await t.createToken({ name: 'logs', scopes: ['sms:logs:read'] });
    expect((await call(app.url, 'GET', '/sms/1/inbox/reports', bearer(inbound.secret))).status).toBe(200);
    const denied = await call(app.url, 'GET', '/sms/1/inbox/reports', bearer(logs.secret));
    expect(denied.status).toBe(403);
    expect(denied.text).toBe(FORBIDDEN_EXACT);
  });

  it('requireEndpoint: the catalog grants POST /sms/2/text/advanced to message:send, not to log readers', async () => {
    const sender = await t.createToken({ name: 'sender', profileId: 'crm', scopes: ['message:send'] });
    const logs = await t.createToken({ name: 'logs', scopes: ['sms:logs:read'] });
    const ok = await call(app.url, 'POST', '/sms/2/text/advanced?notify=1', bearer(sender.secret));
    expect(ok.status).toBe(200);
    expect(ok.body.caller).toMatchObject({ tokenId: sender.id, profileId: 'crm' });
    const denied = await call(app.url, 'POST', '/sms/2/text/advanced', bearer(logs.secret));
    expect(denied.status).toBe(403);
    expect(denied.text).toBe(FORBIDDEN_EXACT);
  });

  it('passes the client address: a token allowed only elsewhere is refused from 127.0.0.1', async () => {
    const remote = await t.createToken({ name: 'remote', scopes: ['sms:logs:read'], allowedIps: ['10.0.0.0/8'] });
    const res = await call(app.url, 'GET', '/sms/1/logs', bearer(remote.secret));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera", error="invalid_token"');
  });

  it('stops accepting a revoked token once the cached answer is older than the TTL', async () => {
    const reader = await t.createToken({ name: 'soon revoked', scopes: ['sms:logs:read'] });
    expect((await call(app.url, 'GET', '/sms/1/logs', bearer(reader.secret))).status).toBe(200);
    const revoked = await t.request('POST', `/v1/tokens/${reader.id}/revoke`, { token: t.rootSecret });
    expect(revoked.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, CACHE_TTL_MS + 150));
    const res = await call(app.url, 'GET', '/sms/1/logs', bearer(reader.secret));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera", error="invalid_token"');
  });

  it('sends a JWT issued by a rate-limited token to Tessera (offline, nothing could be counted): it is limited too', async () => {
    const issuer = await t.createToken({ name: 'limited issuer', scopes: ['sms:logs:read', 'tokens:issue'], limits: [{ name: 'per-hour', limit: 1, duration: '1h' }] });
    const issued = await t.request('POST', '/v1/auth/issue-token', { token: issuer.secret, body: { scope: 'sms:logs:read', expires_in: '1h' } });
    const first = await call(app.url, 'GET', '/sms/1/logs', bearer(issued.body.token));
    expect([first.status, first.body.caller.via]).toEqual([200, 'verify']);
    expect((await call(app.url, 'GET', '/sms/1/logs', bearer(issued.body.token))).status).toBe(429);
  });

  it('verifies an issued JWT offline with the JWKS, and refuses one without the scope or with a bad signature', async () => {
    const { jwt, issuerId } = await issueJwt('sms:logs:read', ['sms:logs:read', 'sms:message:send']);
    const ok = await call(app.url, 'GET', '/sms/1/logs', bearer(jwt));
    expect(ok.status).toBe(200);
    expect(ok.body.caller).toMatchObject({ tokenId: issuerId, profileId: 'app-user', scopes: ['sms:logs:read'], via: 'jwt' });
    expect(ok.body.caller.jwtId).toMatch(/^jti_/);

    const narrow = await issueJwt('sms:message:send', ['sms:message:send']);
    const denied = await call(app.url, 'GET', '/sms/1/logs', bearer(narrow.jwt));
    expect(denied.status).toBe(403);
    expect(denied.text).toBe(FORBIDDEN_EXACT);

    const [header, payload, signature] = jwt.split('.');
    const flipped = `${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
    const forged = await call(app.url, 'GET', '/sms/1/logs', bearer(`${header}.${payload}.${flipped}`));
    expect(forged.status).toBe(401);
  });

  it('refuses an issued JWT offline once its exp has passed (on the injected clock)', async () => {
    const { jwt } = await issueJwt('sms:logs:read', ['sms:logs:read']);
    const late = await start({ baseUrl: t.baseUrl, cacheTtlMs: 0, clock: () => t.clock.now() + 2 * 3600_000 });
    try {
      const res = await call(late.url, 'GET', '/sms/1/logs', bearer(jwt));
      expect(res.status).toBe(401);
    } finally {
      await late.close();
    }
  });

  it('lets nothing through when Tessera cannot be reached: a TesseraApiError reaches the app\'s error handler (503)', async () => {
    const down = await start({ baseUrl: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    try {
      const res = await call(down.url, 'GET', '/sms/1/logs', bearer('tsr_anything'));
      expect(res.status).toBe(503);
      expect(res.body.requestError.serviceException.messageId).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await down.close();
    }
  });
});
