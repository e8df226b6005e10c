import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

const messaging = readFileSync(new URL('../../../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ trustProxy: ['127.0.0.1/32', '::1/128'] });
  expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: messaging, format: 'yaml' } })).status).toBe(200);
});
afterAll(async () => t.close());

const call = (secret: string | undefined, method: string, uri: string, extra: Record<string, string> = {}) => ({
  ...(secret === undefined ? {} : { authorization: `Bearer ${secret}` }),
  'x-original-method': method,
  'x-original-uri': uri,
  ...extra,
});

/** The headers that say something about the decision (not the date, the request id or the connection). */
function decisionHeaders(headers: Record<string, string>): Record<string, string> {
  const skip = new Set(['date', 'x-request-id', 'connection', 'keep-alive', 'transfer-encoding']);
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !skip.has(name)).sort(([a], [b]) => a.localeCompare(b)));
}

describe('forward auth over HTTP (gateway connections) and through the Fastify route', () => {
  it('answers every kind of call on every gateway path exactly as the Fastify route does (status, headers, body)', async () => {
    const sender = await t.createToken({ name: 'sender', profileId: 'crm-bot', scopes: ['message:send'] });
    const revoked = await t.createToken({ name: 'gone', scopes: ['message:send'] });
    await t.request('POST', `/v1/tokens/${revoked.id}/revoke`, { token: t.rootSecret });
    const cases: Record<string, string>[] = [
      call(sender.secret, 'POST', '/sms/2/text/advanced'),
      call(sender.secret, 'GET', '/sms/1/logs'),
      call(sender.secret, 'GET', '/admin/everything'),
      call(sender.secret, 'POST', '/sms/2/../1/logs'),
      call(revoked.secret, 'POST', '/sms/2/text/advanced'),
      call(undefined, 'POST', '/sms/2/text/advanced'),
      call(`tsr_${'a'.repeat(64)}`, 'POST', '/sms/2/text/advanced'),
      { ...call(undefined, 'POST', '/sms/2/text/advanced'), authorization: 'Basic Zm9vOmJhcg==' },
      { authorization: `Bearer ${sender.secret}`, 'x-original-uri': '/sms/2/text/advanced' },
      { authorization: `Bearer ${sender.secret}`, 'x-original-method': 'POST' },
    ];
    // Each case as nginx sends it, and as Traefik or Caddy would (their headers, with the nginx ones as a client's forgery).
    const asForwarded = (headers: Record<string, string>) => ({
      ...headers,
      ...(headers['x-original-method'] === undefined ? {} : { 'x-forwarded-method': headers['x-original-method'], 'x-original-method': 'GET' }),
      ...(headers['x-original-uri'] === undefined ? {} : { 'x-forwarded-uri': headers['x-original-uri'], 'x-original-uri': '/numbers/1/numbers' }),
    });
    const calls = cases.flatMap((headers) => [
      { path: '/v1/authorize', headers },
      { path: '/v1/authorize/nginx', headers },
      { path: '/v1/authorize/traefik', headers: asForwarded(headers) },
      { path: '/v1/authorize/caddy', headers: asForwarded(headers) },
    ]);
    for (const { path, headers } of calls) {
      // Twice over HTTP (a gateway connection): the second answer comes from the remembered verdict.
      const overHttp = [await t.request('GET', path, { headers }), await t.request('GET', path, { headers })];
      const injected = await t.app.inject({ method: 'GET', url: path, headers });
      for (const res of overHttp) {
        expect(res.status).toBe(injected.statusCode);
        expect(res.text).toBe(injected.body);
        expect(decisionHeaders(Object.fromEntries(res.headers))).toEqual(decisionHeaders(injected.headers as Record<string, string>));
        expect(res.headers.get('x-request-id')).toMatch(/^req_/);
      }
    }
  });

  it('judges each call on its own: another method or path of the same token is not the remembered one', async () => {
    const sms = await t.createToken({ name: 'sms', scopes: ['sms:message:send', 'sms:logs:read'] });
    const status = async (method: string, uri: string) => (await t.request('GET', '/v1/authorize', { headers: call(sms.secret, method, uri) })).status;
    for (let round = 0; round < 3; round++) {
      expect(await status('POST', '/sms/2/text/advanced')).toBe(200);
      expect(await status('POST', '/whatsapp/1/message/text')).toBe(403);
      expect(await status('GET', '/sms/2/text/advanced')).toBe(403);
      expect(await status('GET', '/sms/1/logs')).toBe(200);
      expect(await status('GET', '/whatsapp/1/logs')).toBe(403);
      expect(await status('POST', '/sms/2/text/advanced?again=1')).toBe(200);
    }
  });

  it('follows a catalog change at once: a remembered verdict belongs to the catalog it was made with', async () => {
    const sender = await t.createToken({ name: 'sender', scopes: ['message:send'] });
    const status = async () => (await t.request('GET', '/v1/authorize', { headers: call(sender.secret, 'POST', '/sms/2/text/advanced') })).status;
    expect(await status()).toBe(200);
    expect(await status()).toBe(200);
    const stricter = messaging.replace(/(endpoint: POST \/sms\/2\/text\/advanced[\s\S]*?scopes: )\[[^\]]*\]/, '$1[sms:manage]');
    expect(stricter).not.toBe(messaging);
    try {
      expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: stricter, format: 'yaml' } })).status).toBe(200);
      expect(await status()).toBe(403);
    } finally {
      expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: messaging, format: 'yaml' } })).status).toBe(200);
    }
    expect(await status()).toBe(200);
  });

  it('follows a change to the token at once (disable, then revoke)', async () => {
    const sender = await t.createToken({ name: 'sender', scopes: ['message:send'] });
    const status = async () => (await t.request('GET', '/v1/authorize', { headers: call(sender.secret, 'POST', '/sms/2/text/advanced') })).status;
    expect(await status()).toBe(200);
    await t.request('POST', `/v1/tokens/${sender.id}/disable`, { token: t.rootSecret });
    expect(await status()).toBe(401);
    await t.request('POST', `/v1/tokens/${sender.id}/enable`, { token: t.rootSecret });
    expect(await status()).toBe(200);
    await t.request('POST', `/v1/tokens/${sender.id}/revoke`, { token: t.rootSecret });
    expect(await status()).toBe(401);
  });

  it('leaves everything else to Fastify: a query string on the call, other methods, other paths', async () => {
    expect((await t.request('POST', '/v1/authorize', { headers: call(t.rootSecret, 'POST', '/sms/2/text/advanced') })).status).toBe(404);
    expect((await t.request('GET', '/v1/authorize/', { headers: call(t.rootSecret, 'POST', '/sms/2/text/advanced') })).status).toBe(404);
    const head = await t.request('HEAD', '/v1/authorize', { headers: call(t.rootSecret, 'POST', '/sms/2/text/advanced') });
    expect(head.status).toBe(200);
    const withQuery = await t.request('GET', '/v1/authorize?x=1', { headers: call(t.rootSecret, 'POST', '/sms/2/text/advanced') });
    expect(withQuery.status).toBe(200);
    expect(withQuery.headers.get('x-tessera-token-id')).toBe(t.rootId);
  });
});

describe('forward auth when the store fails', () => {
  it('answers with the error envelope (the connection handed to Fastify), not a hung connection', async () => {
    const broken = await startTestApp({ trustProxy: ['127.0.0.1/32'] });
    try {
      await broken.request('PUT', '/v1/catalog', { token: broken.rootSecret, body: { source: messaging, format: 'yaml' } });
      const sender = await broken.createToken({ name: 'sender', scopes: ['message:send'] });
      broken.tessera.ctx.tokenCache.clear();
      await broken.store.close();
      const res = await broken.request('GET', '/v1/authorize', { headers: call(sender.secret, 'POST', '/sms/2/text/advanced') });
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(['INTERNAL', 'SERVICE_UNAVAILABLE']).toContain(messageId(res));
    } finally {
      await broken.app.close();
    }
  });
});
