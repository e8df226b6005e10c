import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalisePath } from '../../service/verify/authorize-request.js';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

const messaging = readFileSync(new URL('../../../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');
const FORBIDDEN_EXACT = '{"requestError":{"serviceException":{"messageId":"FORBIDDEN","text":"Forbidden"}}}';

let t: TestApp;
beforeAll(async () => {
  // 127.0.0.1 (the tests' own address) is a trusted proxy here; the untrusted case has its own app below.
  t = await startTestApp({ trustProxy: ['127.0.0.1/32', '::1/128'] });
  const applied = await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: messaging, format: 'yaml' } });
  expect(applied.status).toBe(200);
});
afterAll(async () => t.close());

const nginx = (method: string, uri: string, extra: Record<string, string> = {}) => ({ 'x-original-method': method, 'x-original-uri': uri, ...extra });
const traefik = (method: string, uri: string, extra: Record<string, string> = {}) => ({ 'x-forwarded-method': method, 'x-forwarded-uri': uri, ...extra });
const authorize = (headers: Record<string, string>, path = '/v1/authorize') => t.request('GET', path, { headers });

describe('GET /v1/authorize (forward auth)', () => {
  it.each([
    ['nginx', '/v1/authorize', nginx],
    ['nginx', '/v1/authorize/nginx', nginx],
    ['Traefik', '/v1/authorize/traefik', traefik],
    ['Caddy', '/v1/authorize/caddy', traefik],
  ])('allows a call the catalog grants, with identity headers (%s header set on %s)', async (_name, path, gateway) => {
    const sender = await t.createToken({ name: 'sender', profileId: 'crm-bot', scopes: ['message:send'] });
    const res = await authorize(gateway('POST', '/sms/2/text/advanced?x=1', { authorization: `Bearer ${sender.secret}` }), path);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tessera-token-id')).toBe(sender.id);
    expect(res.headers.get('x-tessera-profile-id')).toBe('crm-bot');
    expect(res.headers.get('x-tessera-account-id')).toMatch(/^acc_/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 403 with exactly the messaging API’s body and an insufficient_scope challenge naming the scopes that would do', async () => {
    const sender = await t.createToken({ name: 'sender', scopes: ['message:send'] });
    const res = await authorize(nginx('GET', '/sms/1/logs', { authorization: `Bearer ${sender.secret}` }));
    expect(res.status).toBe(403);
    expect(res.text).toBe(FORBIDDEN_EXACT);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera", error="insufficient_scope", scope="sms:logs:read sms:manage"');
  });

  it('denies an endpoint the catalog does not know, whatever the token holds', async () => {
    const res = await authorize(nginx('GET', '/admin/everything', { authorization: `Bearer ${t.rootSecret}` }));
    expect(res.status).toBe(403);
    expect(res.text).toBe(FORBIDDEN_EXACT);
  });

  it.each([
    ['/sms/2/../1/logs'],
    ['/sms/2/text/%2e%2e/advanced'],
    ['/sms/2/text%2Fadvanced'],
    ['/sms/2/text/advanced%00'],
    ['/sms/2/%E0%A4%A/advanced'],
  ])('denies the ambiguous path %s (an upstream might resolve it elsewhere)', async (uri) => {
    const res = await authorize(nginx('POST', uri, { authorization: `Bearer ${t.rootSecret}` }));
    expect(res.status).toBe(403);
  });

  it('decodes percent-encoded path segments before matching', () => {
    expect(normalisePath('/tenants/ac%6De/notifications?x=%2F')).toBe('/tenants/acme/notifications');
    expect(normalisePath('relative')).toBeNull();
  });

  it.each([
    ['no token', {}, 'Bearer realm="tessera"'],
    ['an unknown token', { authorization: `Bearer tsr_${'a'.repeat(64)}` }, 'Bearer realm="tessera", error="invalid_token"'],
    ['a malformed Authorization header', { authorization: 'Basic Zm9vOmJhcg==' }, 'Bearer realm="tessera", error="invalid_token"'],
  ])('answers 401 for %s, with the envelope and an RFC 6750 challenge', async (_name, extra, challenge) => {
    const res = await authorize(nginx('POST', '/sms/2/text/advanced', extra));
    expect(res.status).toBe(401);
    expect(messageId(res)).toBe('UNAUTHORIZED');
    expect(res.headers.get('www-authenticate')).toBe(challenge);
  });

  it.each([
    ['revoked', async () => {
      const m = await t.createToken({ name: 'r', scopes: ['message:send'] });
      await t.request('POST', `/v1/tokens/${m.id}/revoke`, { token: t.rootSecret });
      return m.secret;
    }],
    ['disabled', async () => (await t.createToken({ name: 'd', scopes: ['message:send'], enabled: false })).secret],
    ['not yet valid', async () => (await t.createToken({ name: 'n', scopes: ['message:send'], validFrom: new Date(t.clock.ms + 60_000).toISOString() })).secret],
  ])('answers 401 for a %s token', async (_name, make) => {
    const res = await authorize(nginx('POST', '/sms/2/text/advanced', { authorization: `Bearer ${await make()}` }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('answers 401 for an expired token', async () => {
    const m = await t.createToken({ name: 'e', scopes: ['message:send'], expiresAt: new Date(t.clock.ms + 1000).toISOString() });
    t.clock.advance(5);
    try {
      expect((await authorize(nginx('POST', '/sms/2/text/advanced', { authorization: `Bearer ${m.secret}` }))).status).toBe(401);
    } finally {
      t.clock.advance(-5);
    }
  });

  it('refuses (400) a request without the original method or URI: a gateway misconfiguration, never allowed', async () => {
    expect((await authorize({ authorization: `Bearer ${t.rootSecret}`, 'x-original-uri': '/sms/1/logs' })).status).toBe(400);
    expect((await authorize({ authorization: `Bearer ${t.rootSecret}`, 'x-original-method': 'GET' })).status).toBe(400);
  });

  describe('client address', () => {
    it('takes X-Real-IP from a trusted proxy for the allowed-IPs check', async () => {
      const fenced = await t.createToken({ name: 'fenced', scopes: ['message:send'], allowedIps: ['203.0.113.0/24'] });
      const call = (ip: string) => authorize(nginx('POST', '/sms/2/text/advanced', { authorization: `Bearer ${fenced.secret}`, 'x-real-ip': ip }));
      expect((await call('203.0.113.7')).status).toBe(200);
      expect((await call('198.51.100.7')).status).toBe(401);
    });

    it.each([['traefik'], ['caddy']])('takes the rightmost X-Forwarded-For hop from a trusted %s', async (kind) => {
      const fenced = await t.createToken({ name: 'fenced', scopes: ['message:send'], allowedIps: ['203.0.113.0/24'] });
      const call = (ip: string) => authorize(traefik('POST', '/sms/2/text/advanced', { authorization: `Bearer ${fenced.secret}`, 'x-forwarded-for': ip }), `/v1/authorize/${kind}`);
      expect((await call('203.0.113.9')).status).toBe(200);
      expect((await call('198.51.100.9, 203.0.113.9')).status).toBe(200);
      expect((await call('198.51.100.9')).status).toBe(401);
      // What the client wrote in front of the hop the gateway appended is not the client's address.
      expect((await call('203.0.113.9, 198.51.100.9')).status).toBe(401);
    });

    it('ignores forwarding headers when the peer is not a trusted proxy', async () => {
      const untrusted = await startTestApp();
      try {
        await untrusted.request('PUT', '/v1/catalog', { token: untrusted.rootSecret, body: { source: messaging, format: 'yaml' } });
        const fenced = await untrusted.createToken({ name: 'fenced', scopes: ['message:send'], allowedIps: ['203.0.113.0/24'] });
        const local = await untrusted.createToken({ name: 'local', scopes: ['message:send'], allowedIps: ['127.0.0.0/8', '::1/128'] });
        const spoof = { 'x-real-ip': '203.0.113.7', 'x-forwarded-for': '203.0.113.7' };
        const call = (secret: string) =>
          untrusted.request('GET', '/v1/authorize', { headers: nginx('POST', '/sms/2/text/advanced', { authorization: `Bearer ${secret}`, ...spoof }) });
        expect((await call(fenced.secret)).status).toBe(401);
        expect((await call(local.secret)).status).toBe(200);
      } finally {
        await untrusted.close();
      }
    });
  });

  describe('only the configured gateway kind’s headers are believed (rule 7)', () => {
    /** A token that may list numbers (GET) but not release one (DELETE). */
    const reader = () => t.createToken({ name: 'reader', scopes: ['numbers:read'] });
    const forgedCall = { 'x-original-method': 'GET', 'x-original-uri': '/numbers/1/numbers' };
    const forgedForwarded = { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/numbers/1/numbers' };

    it.each([['/v1/authorize/traefik'], ['/v1/authorize/caddy']])('%s: a client’s own X-Original-* never names the call', async (path) => {
      const m = await reader();
      // Traefik without authRequestHeaders copies every client header into the check.
      const res = await authorize(traefik('DELETE', '/numbers/1/numbers/41', { authorization: `Bearer ${m.secret}`, ...forgedCall }), path);
      expect(res.status).toBe(403);
      expect((await authorize(traefik('GET', '/numbers/1/numbers', { authorization: `Bearer ${m.secret}` }), path)).status).toBe(200);
    });

    it.each([['/v1/authorize'], ['/v1/authorize/nginx']])('%s (nginx): X-Forwarded-* never names the call', async (path) => {
      const m = await reader();
      const res = await authorize(nginx('DELETE', '/numbers/1/numbers/41', { authorization: `Bearer ${m.secret}`, ...forgedForwarded }), path);
      expect(res.status).toBe(403);
      // Only the other kind's headers: the nginx ones are missing, a configuration error (400), never an allow.
      const other = await authorize({ authorization: `Bearer ${m.secret}`, ...forgedForwarded }, path);
      expect(other.status).toBe(400);
      expect(other.body.requestError.serviceException.text).toMatch(/^X-Original-Method/);
    });

    it('nginx: X-Forwarded-For is not the address, only X-Real-IP is', async () => {
      const fenced = await t.createToken({ name: 'fenced', scopes: ['message:send'], allowedIps: ['203.0.113.0/24'] });
      const call = (extra: Record<string, string>) => authorize(nginx('POST', '/sms/2/text/advanced', { authorization: `Bearer ${fenced.secret}`, ...extra }));
      expect((await call({ 'x-forwarded-for': '203.0.113.7' })).status).toBe(401);
      expect((await call({ 'x-real-ip': '198.51.100.7', 'x-forwarded-for': '203.0.113.7' })).status).toBe(401);
      expect((await call({ 'x-real-ip': '203.0.113.7' })).status).toBe(200);
    });

    it.each([['traefik'], ['caddy']])('%s: X-Real-IP is not the address, only X-Forwarded-For is', async (kind) => {
      const fenced = await t.createToken({ name: 'fenced', scopes: ['message:send'], allowedIps: ['203.0.113.0/24'] });
      const call = (extra: Record<string, string>) => authorize(traefik('POST', '/sms/2/text/advanced', { authorization: `Bearer ${fenced.secret}`, ...extra }), `/v1/authorize/${kind}`);
      expect((await call({ 'x-real-ip': '203.0.113.7' })).status).toBe(401);
      expect((await call({ 'x-real-ip': '203.0.113.7', 'x-forwarded-for': '198.51.100.7' })).status).toBe(401);
    });

    it('a trusted gateway that names no usable client address: a token with allowed IPs is refused', async () => {
      const fenced = await t.createToken({ name: 'fenced', scopes: ['message:send'], allowedIps: ['127.0.0.0/8', '::1/128'] });
      const call = (extra: Record<string, string>) => authorize(nginx('POST', '/sms/2/text/advanced', { authorization: `Bearer ${fenced.secret}`, ...extra }));
      // The peer (the gateway itself, 127.0.0.1 here) is not the client: it is never used in its place.
      expect((await call({})).status).toBe(401);
      expect((await call({ 'x-real-ip': 'not-an-address' })).status).toBe(401);
      expect((await call({ 'x-real-ip': '127.0.0.9' })).status).toBe(200);
    });

    it('an unknown gateway kind in the path is not found', async () => {
      expect((await authorize(nginx('GET', '/numbers/1/numbers', { authorization: `Bearer ${t.rootSecret}` }), '/v1/authorize/envoy')).status).toBe(404);
    });
  });

  describe('presentation schemes', () => {
    it('accepts X-API-Key', async () => {
      const m = await t.createToken({ name: 'k', scopes: ['message:send'] });
      expect((await authorize(nginx('POST', '/sms/2/text/advanced', { 'x-api-key': m.secret }))).status).toBe(200);
    });

    it('accepts App and access_token (in the original URI or on the call) only once the account enables them', async () => {
      const m = await t.createToken({ name: 'app', scopes: ['message:send'] });
      const app = () => authorize(nginx('POST', '/sms/2/text/advanced', { authorization: `App ${m.secret}` }));
      const inUri = () => authorize(nginx('POST', `/sms/2/text/advanced?access_token=${m.secret}`));
      const onCall = () => t.request('GET', `/v1/authorize?access_token=${m.secret}`, { headers: nginx('POST', '/sms/2/text/advanced') });
      expect((await app()).status).toBe(401);
      expect((await inUri()).status).toBe(401);
      expect((await onCall()).status).toBe(401);
      const policy = (patch: Record<string, boolean>) => t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: patch });
      expect((await policy({ allowAppScheme: true, allowQueryToken: true })).status).toBe(200);
      try {
        expect((await app()).status).toBe(200);
        expect((await inUri()).status).toBe(200);
        expect((await onCall()).status).toBe(200);
      } finally {
        await policy({ allowAppScheme: false, allowQueryToken: false });
      }
    });
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await t.request('GET', '/openapi.json')).body;
    for (const path of ['/v1/authorize', '/v1/authorize/nginx', '/v1/authorize/traefik', '/v1/authorize/caddy', '/oauth2/introspect', '/oauth2/revoke', '/v1/auth/issue-token', '/.well-known/jwks.json', '/v1/keys/rotate']) {
      expect(doc.paths[path], path).toBeDefined();
      const operation = Object.values(doc.paths[path])[0] as { summary?: string };
      expect(operation.summary, path).toBeTruthy();
    }
  });
});
