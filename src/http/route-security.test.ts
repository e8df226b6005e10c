// Issue 13 item 5: the refusal cases (no token, malformed, checksum-failing, revoked, expired, not yet valid,
// disabled, wrong address, wrong scope) run over every route the app registers. A new route fails the first
// test until it is added to `authenticated` (with its permission) or to `publicRoutes` (with the reason).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itRefusesUnauthorised, registeredRoutes, type RouteUnderTest } from '../testing/security-cases.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

const integration = readFileSync(new URL('../../examples/catalogs/integration.yaml', import.meta.url), 'utf8');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  const applied = await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: integration, format: 'yaml' } });
  if (applied.status !== 200) throw new Error(`catalog apply failed: ${applied.status} ${applied.text}`);
  const auth = await t.request('PUT', '/v1/endpoints/orders/auth', { token: t.rootSecret, body: { mode: 'token' } });
  if (auth.status !== 200) throw new Error(`endpoint auth failed: ${auth.status} ${auth.text}`);
});
afterAll(() => t.close());

/** A live token to act on: each case gets its own, so nothing one case does can help another. */
const targetToken = async (app: TestApp) => (await app.createToken({ name: 'target', scopes: ['tokens:read'] })).id;
const tokenPath = (suffix = '') => async (app: TestApp) => `/v1/tokens/${await targetToken(app)}${suffix}`;
const secondaryPath = (suffix = '') => async (app: TestApp) => {
  const res = await app.request('POST', '/v1/endpoint-tokens', {
    token: app.rootSecret,
    body: { name: 'app', assignments: [{ endpoint: 'orders', method: 'POST' }] },
  });
  if (res.status !== 201) throw new Error(`secondary failed: ${res.status} ${res.text}`);
  return `/v1/endpoint-tokens/${res.body.token.token.id}${suffix}`;
};
/** A webhook endpoint of its own per case (the sender is not started: nothing is ever sent to it). */
const webhookPath = (suffix = '') => async (app: TestApp) => {
  const res = await app.request('POST', '/v1/webhooks', { token: app.rootSecret, body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] } });
  if (res.status !== 201) throw new Error(`webhook failed: ${res.status} ${res.text}`);
  return `/v1/webhooks/${res.body.webhook.id}${suffix}`;
};
const catalogBody = { source: integration, format: 'yaml' };

type Entry = Omit<RouteUnderTest, 'method'>;

/** Every authenticated route, keyed as the app registers it, with the permission it needs and a real target. */
const authenticated: Record<string, Entry> = {
  'POST /v1/tokens': { path: '/v1/tokens', body: { name: 'n', scopes: ['usage:read'] }, permission: 'tokens:create' },
  'GET /v1/tokens': { path: '/v1/tokens', permission: 'tokens:read' },
  'POST /v1/tokens/bulk-delete': { path: '/v1/tokens/bulk-delete', body: { ids: ['tok_x'] }, permission: 'tokens:delete' },
  'GET /v1/tokens/:id': { path: tokenPath(), permission: 'tokens:read' },
  'GET /v1/tokens/:id/ratelimits': { path: tokenPath('/ratelimits'), permission: 'tokens:read' },
  'PATCH /v1/tokens/:id': { path: tokenPath(), body: { name: 'x' }, permission: 'tokens:update' },
  'DELETE /v1/tokens/:id': { path: tokenPath(), permission: 'tokens:delete' },
  'POST /v1/tokens/:id/enable': { path: tokenPath('/enable'), permission: 'tokens:update' },
  'POST /v1/tokens/:id/disable': { path: tokenPath('/disable'), permission: 'tokens:update' },
  'POST /v1/tokens/:id/revoke': { path: tokenPath('/revoke'), permission: 'tokens:revoke' },
  'POST /v1/tokens/:id/rotate': { path: tokenPath('/rotate'), body: {}, permission: 'tokens:update' },
  'GET /v1/tokens/:id/capabilities': { path: tokenPath('/capabilities'), permission: 'tokens:read' },
  'GET /v1/audit': { path: '/v1/audit', permission: 'audit:read' },
  'GET /v1/audit/verify': { path: '/v1/audit/verify', permission: 'audit:read' },
  'POST /v1/auth/issue-token': { path: '/v1/auth/issue-token', body: { scope: 'tokens:read' }, permission: 'tokens:issue' },
  // Any live token may read its own account; the refusal cases still apply.
  'GET /v1/account': { path: '/v1/account', permission: null },
  'PATCH /v1/account/policy': { path: '/v1/account/policy', body: { allowAppScheme: false }, permission: 'account:manage' },
  'GET /v1/catalog': { path: '/v1/catalog', permission: 'catalog:read' },
  'PUT /v1/catalog': { path: '/v1/catalog', body: catalogBody, permission: 'catalog:write' },
  'POST /v1/catalog/validate': { path: '/v1/catalog/validate', body: catalogBody, permission: 'catalog:read' },
  'GET /v1/catalog/versions': { path: '/v1/catalog/versions', permission: 'catalog:read' },
  'GET /v1/catalog/tree': { path: '/v1/catalog/tree', permission: 'catalog:read' },
  'POST /v1/explain': { path: '/v1/explain', body: { tokenId: 'tok_x', scope: 'usage:read' }, permission: 'tokens:read' },
  'GET /v1/endpoints': { path: '/v1/endpoints', permission: 'endpoints:manage' },
  'GET /v1/endpoints/:id/auth': { path: '/v1/endpoints/orders/auth', permission: 'endpoints:manage' },
  'PUT /v1/endpoints/:id/auth': { path: '/v1/endpoints/orders/auth', body: { mode: 'none' }, permission: 'endpoints:manage' },
  'POST /v1/endpoints/:id/primary-tokens/:method/regenerate': {
    path: '/v1/endpoints/orders/primary-tokens/POST/regenerate', body: {}, permission: 'endpoints:manage',
  },
  'GET /v1/endpoints/:id/tokens': { path: '/v1/endpoints/orders/tokens?assigned=all', permission: 'endpoints:manage' },
  'POST /v1/endpoint-tokens': {
    path: '/v1/endpoint-tokens', body: { name: 'x', assignments: [{ endpoint: 'orders', method: 'GET' }] }, permission: 'endpoints:manage',
  },
  'GET /v1/endpoint-tokens': { path: '/v1/endpoint-tokens', permission: 'endpoints:manage' },
  'GET /v1/endpoint-tokens/:id': { path: secondaryPath(), permission: 'endpoints:manage' },
  'POST /v1/endpoint-tokens/:id/enable': { path: secondaryPath('/enable'), permission: 'endpoints:manage' },
  'POST /v1/endpoint-tokens/:id/disable': { path: secondaryPath('/disable'), permission: 'endpoints:manage' },
  'PUT /v1/endpoint-tokens/:id/assignments': {
    path: secondaryPath('/assignments'), body: { assignments: [{ endpoint: 'orders', method: 'GET' }] }, permission: 'endpoints:manage',
  },
  'POST /v1/keys/rotate': { path: '/v1/keys/rotate', permission: 'account:manage' },
  'GET /v1/usage': { path: '/v1/usage', permission: 'usage:read' },
  'GET /v1/usage/events': { path: '/v1/usage/events', permission: 'usage:read' },
  // A leak report without GitHub's signature headers is authenticated by a token (the signed ones: leak-routes.test.ts).
  'POST /v1/leaks': { path: '/v1/leaks', body: [{ token: 'tsr_x', type: 'tessera_token', url: '', source: 'content' }], permission: 'leaks:report' },
  'POST /v1/leaks/check': { path: '/v1/leaks/check', body: { tokens: ['tsr_x'] }, permission: 'tokens:read' },
  'POST /v1/identities': { path: '/v1/identities', body: { externalId: 'x' }, permission: 'identities:write' },
  'GET /v1/identities': { path: '/v1/identities', permission: 'identities:read' },
  'GET /v1/identities/:id': { path: '/v1/identities/idn_x', permission: 'identities:read' },
  'GET /v1/identities/:id/ratelimits': { path: '/v1/identities/idn_x/ratelimits', permission: 'identities:read' },
  'PATCH /v1/identities/:id': { path: '/v1/identities/idn_x', body: { name: 'x' }, permission: 'identities:write' },
  'DELETE /v1/identities/:id': { path: '/v1/identities/idn_x', permission: 'identities:write' },
  'POST /v1/webhooks': { path: '/v1/webhooks', body: { url: 'https://hooks.example.com/x', eventTypes: ['token.created'] }, permission: 'account:webhooks:write' },
  'GET /v1/webhooks': { path: '/v1/webhooks', permission: 'account:webhooks:read' },
  'GET /v1/webhooks/:id': { path: webhookPath(), permission: 'account:webhooks:read' },
  'PATCH /v1/webhooks/:id': { path: webhookPath(), body: { enabled: false }, permission: 'account:webhooks:write' },
  'DELETE /v1/webhooks/:id': { path: webhookPath(), permission: 'account:webhooks:write' },
  'POST /v1/webhooks/:id/rotate-secret': { path: webhookPath('/rotate-secret'), body: {}, permission: 'account:webhooks:write' },
  'GET /v1/webhooks/:id/deliveries': { path: webhookPath('/deliveries'), permission: 'account:webhooks:read' },
  'POST /v1/webhooks/:id/deliveries/:deliveryId/redeliver': { path: webhookPath('/deliveries/msg_x/redeliver'), permission: 'account:webhooks:write' },
  'PUT /v1/tokens/:id/credits': { path: '/v1/tokens/tok_x/credits', body: { remaining: 1 }, permission: 'tokens:update' },
  'POST /v1/tokens/:id/credits/add': { path: '/v1/tokens/tok_x/credits/add', body: { amount: 1 }, permission: 'tokens:update' },
  'PUT /v1/identities/:id/credits': { path: '/v1/identities/idn_x/credits', body: { remaining: 1 }, permission: 'identities:write' },
  'POST /v1/identities/:id/credits/add': { path: '/v1/identities/idn_x/credits/add', body: { amount: 1 }, permission: 'identities:write' },
  // OAuth 2.0 client authentication (RFC 6749 §2.3.1) is by a Tessera token too: Bearer, or Basic with id and secret.
  'POST /oauth2/introspect': { path: '/oauth2/introspect', form: { token: 'tsr_x' }, permission: 'tokens:introspect' },
  'POST /oauth2/revoke': { path: '/oauth2/revoke', form: { token: 'tsr_x' }, permission: 'tokens:revoke' },
};

/** Routes that take no caller token, each with the reason. */
const publicRoutes: Record<string, string> = {
  'GET /healthz': 'liveness probe for orchestrators; says nothing about the data',
  'GET /readyz': 'readiness probe (database reachable); says nothing about the data',
  'GET /metrics': 'Prometheus scrape target: counts and latencies by outcome, never ids or secrets (restrict it at the network)',
  'GET /openapi.json': 'the API description, public like the docs of any API',
  'GET /docs': 'the browsable API description (Swagger UI)',
  'GET /docs/': 'the browsable API description (Swagger UI)',
  'GET /docs/static/index.html': 'Swagger UI asset',
  'GET /docs/static/swagger-initializer.js': 'Swagger UI asset',
  'GET /docs/*': 'Swagger UI assets',
  'GET /docs/json': 'the API description, as the Swagger UI loads it',
  'GET /docs/yaml': 'the API description in YAML',
  'GET /.well-known/jwks.json': 'public keys for verifying issued JWTs offline: public by design (RFC 7517)',
  'GET /console': 'the web console shell; it signs in with a token and then drives only the authenticated API',
  'GET /console*': 'the web console assets (static files, no data)',
  'POST /v1/verify': 'the token checked is the body; an account can require the caller to hold tokens:verify as well (verify-route.test.ts)',
  'GET /v1/authorize': 'forward auth: the presented token is the subject of the check, refused with 401/403 as the answer itself',
  'GET /v1/authorize/nginx': 'forward auth for a gateway kind named in its path: as GET /v1/authorize',
  'GET /v1/authorize/traefik': 'forward auth for a gateway kind named in its path: as GET /v1/authorize',
  'GET /v1/authorize/caddy': 'forward auth for a gateway kind named in its path: as GET /v1/authorize',
};

describe('every registered route is classified', () => {
  it('as authenticated (with its permission) or public (with a reason), and nothing classified is missing', () => {
    const registered = registeredRoutes(t.app.printRoutes({ commonPrefix: false }));
    const unclassified = registered.filter((r) => !(r in authenticated) && !(r in publicRoutes));
    expect(unclassified, 'add these routes to `authenticated` or `publicRoutes`').toEqual([]);
    const stale = [...Object.keys(authenticated), ...Object.keys(publicRoutes)].filter((r) => !registered.includes(r));
    expect(stale, 'these table entries name no registered route').toEqual([]);
  });

  it('public routes answer without a token', async () => {
    for (const route of ['GET /healthz', 'GET /readyz', 'GET /openapi.json', 'GET /.well-known/jwks.json']) {
      const [method, path] = route.split(' ') as [string, string];
      expect((await t.request(method, path)).status, route).toBe(200);
    }
  });
});

for (const [route, entry] of Object.entries(authenticated)) {
  describe(route, () => {
    itRefusesUnauthorised(() => t, { method: route.split(' ')[0]!, ...entry });
  });
}
