// Integration platform: endpoint authentication, primary tokens per method, secondary tokens mapped
// to them, and the endpoint data viewer (usage filtered by endpoint and token), through the real app.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itRefusesUnauthorised } from '../../testing/security-cases.js';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

const integration = readFileSync(new URL('../../../examples/catalogs/integration.yaml', import.meta.url), 'utf8');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  const applied = await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: integration, format: 'yaml' } });
  if (applied.status !== 200 && applied.status !== 201) throw new Error(`catalog apply failed: ${applied.status} ${applied.text}`);
});
afterAll(() => t.close());

const root = () => ({ token: t.rootSecret });
const setAuth = (id: string, body: Record<string, unknown>, token = t.rootSecret) => t.request('PUT', `/v1/endpoints/${id}/auth`, { token, body });
const createSecondary = async (body: Record<string, unknown>) => {
  const res = await t.request('POST', '/v1/endpoint-tokens', { ...root(), body });
  expect(res.status).toBe(201);
  return { id: res.body.token.token.id as string, secret: res.body.secret as string, body: res.body };
};
const call = async (secret: string, method: string, path: string) =>
  (await t.request('POST', '/v1/verify', { body: { token: secret, endpoint: { method, path } } })).body.code as string;
const methods = (auth: { primaries: { method: string; token: { status: string } }[] }) =>
  auth.primaries.filter((p) => p.token.status === 'active').map((p) => p.method);

describe('the integration platform story', () => {
  it('token auth → POST/GET primaries → allow deleting → DELETE primary → two apps on POST → disable one → usage per token', async () => {
    const on = await setAuth('orders', { mode: 'token', allowDelete: false });
    expect(on.status).toBe(200);
    expect(methods(on.body)).toEqual(['POST', 'GET']);
    expect(on.body.generated.map((g: { method: string }) => g.method)).toEqual(['POST', 'GET']);
    expect(on.body.primaries.map((p: { token: { kind: string; scopes: string[] } }) => [p.token.kind, p.token.scopes])).toEqual([
      ['primary', ['endpoint:orders:POST']],
      ['primary', ['endpoint:orders:GET']],
    ]);
    const postPrimary = on.body.generated[0].secret as string;
    expect(postPrimary).toMatch(/^tsr_[A-Za-z0-9]{64}$/);

    const del = await setAuth('orders', { allowDelete: true });
    expect(methods(del.body)).toEqual(['POST', 'GET', 'DELETE']);
    expect(del.body.generated.map((g: { method: string }) => g.method)).toEqual(['DELETE']);
    expect(await call(del.body.generated[0].secret, 'DELETE', '/api/endpoints/orders/r-1')).toBe('VALID');

    const crm = await createSecondary({ name: 'CRM', description: 'The CRM application', assignments: [{ endpoint: 'orders', method: 'POST' }] });
    const erp = await createSecondary({ name: 'ERP', assignments: [{ endpoint: 'orders', method: 'POST' }] });
    expect(crm.secret).toMatch(/^tsr_[A-Za-z0-9]{64}$/);
    expect(crm.body.token.token).toMatchObject({ kind: 'secondary', scopes: ['endpoint:orders:POST'], description: 'The CRM application' });

    for (const app of [crm, erp]) {
      expect(await call(app.secret, 'POST', '/api/endpoints/orders')).toBe('VALID');
      expect(await call(app.secret, 'GET', '/api/endpoints/orders')).toBe('INSUFFICIENT_SCOPE');
    }
    expect(await call(postPrimary, 'POST', '/api/endpoints/orders')).toBe('VALID');

    expect((await t.request('POST', `/v1/endpoint-tokens/${crm.id}/disable`, root())).body.token.enabled).toBe(false);
    expect(await call(crm.secret, 'POST', '/api/endpoints/orders')).toBe('DISABLED');
    expect(await call(erp.secret, 'POST', '/api/endpoints/orders')).toBe('VALID');

    // The endpoint data viewer: usage filtered by each token shows exactly its own calls.
    await t.tessera.ctx.usage.flush();
    const usage = async (tokenId: string) =>
      (await t.request('GET', `/v1/usage?tokenId=${tokenId}&bucket=day`, root())).body.items as { tokenId: string; endpoint: string; outcome: string; count: number }[];
    const summary = (items: { endpoint: string; outcome: string; count: number }[]) =>
      Object.fromEntries(items.map((i) => [`${i.endpoint} ${i.outcome}`, i.count]));
    expect(summary(await usage(crm.id))).toEqual({
      'POST /api/endpoints/orders VALID': 1,
      'GET /api/endpoints/orders INSUFFICIENT_SCOPE': 1,
      'POST /api/endpoints/orders DISABLED': 1,
    });
    expect(summary(await usage(erp.id))).toEqual({
      'POST /api/endpoints/orders VALID': 2,
      'GET /api/endpoints/orders INSUFFICIENT_SCOPE': 1,
    });
    const byEndpoint = (await t.request('GET', `/v1/usage?endpoint=${encodeURIComponent('POST /api/endpoints/orders')}&outcome=VALID&bucket=day`, root())).body.items;
    expect(new Set(byEndpoint.map((i: { tokenId: string }) => i.tokenId))).toEqual(new Set([crm.id, erp.id, on.body.generated[0].tokenId]));
  });
});

describe('endpoint authentication', () => {
  it('starts in token mode as the catalog declares, primaries due; unknown endpoints are 404; bad modes name the field', async () => {
    const res = await t.request('GET', '/v1/endpoints/invoices/auth', root());
    expect(res.body).toMatchObject({ id: 'invoices', mode: 'token', allowDelete: false, primaries: [], primariesPending: ['POST', 'GET'], routes: ['POST /api/endpoints/invoices', 'GET /api/endpoints/invoices'] });
    expect(messageId(await t.request('GET', '/v1/endpoints/nope/auth', root()))).toBe('NOT_FOUND');
    const bad = await setAuth('invoices', { mode: 'open' });
    expect(bad.status).toBe(400);
    expect(bad.body.requestError.serviceException.text).toContain('mode');
    const list = await t.request('GET', '/v1/endpoints', root());
    expect(list.body.items.map((e: { id: string }) => e.id)).toEqual(['orders', 'customers', 'invoices']);
  });

  it('allowDelete is refused on an endpoint whose catalog has no DELETE route (no useless DELETE primary)', async () => {
    const refused = await setAuth('customers', { mode: 'token', allowDelete: true });
    expect(refused.status).toBe(400);
    expect(messageId(refused)).toBe('BAD_REQUEST');
    expect(refused.text).toContain('allowDelete');
    expect((await t.request('GET', '/v1/endpoints/customers/auth', root())).body.primaries).toEqual([]);
  });

  it('turning deleting off revokes the DELETE primary; none revokes all and cuts secondaries; token restores them', async () => {
    const auditCount = async () =>
      (await t.request('GET', '/v1/audit?action=endpoint.auth&limit=200', root())).body.items.filter((e: { targetId: string }) => e.targetId === 'orders').length;
    await setAuth('orders', { mode: 'none' });
    const audited = await auditCount();
    const on = await setAuth('orders', { mode: 'token', allowDelete: true });
    const deleteId = on.body.generated.find((g: { method: string }) => g.method === 'DELETE').tokenId;
    const app = await createSecondary({ name: 'Shop', assignments: [{ endpoint: 'orders', method: 'GET' }] });
    expect(await call(app.secret, 'GET', '/api/endpoints/orders')).toBe('VALID');

    const off = await setAuth('orders', { allowDelete: false });
    expect(methods(off.body)).toEqual(['POST', 'GET']);
    expect((await t.request('GET', `/v1/tokens/${deleteId}`, root())).body.status).toBe('revoked');

    await setAuth('orders', { mode: 'none' });
    expect(await call(app.secret, 'GET', '/api/endpoints/orders')).toBe('INSUFFICIENT_SCOPE');
    expect((await t.request('GET', `/v1/endpoint-tokens?status=all`, root())).body.items.find((i: { token: { id: string } }) => i.token.id === app.id).assignments)
      .toEqual([{ endpoint: 'orders', method: 'GET', active: false }]);

    const back = await setAuth('orders', { mode: 'token' });
    expect(back.body.generated.map((g: { method: string }) => g.method)).toEqual(['POST', 'GET']);
    expect(await call(app.secret, 'GET', '/api/endpoints/orders')).toBe('VALID');
    expect(await auditCount()).toBe(audited + 4);
  });

  it('primaries are managed through their endpoint: the token API refuses to revoke, change or delete one (409), and lists can leave them out', async () => {
    const on = await setAuth('invoices', { mode: 'token' });
    const primary = on.body.primaries[0].token.id as string;
    for (const [method, path, body] of [
      ['POST', `/v1/tokens/${primary}/revoke`, undefined],
      ['POST', `/v1/tokens/${primary}/disable`, undefined],
      ['PATCH', `/v1/tokens/${primary}`, { name: 'renamed' }],
      ['DELETE', `/v1/tokens/${primary}`, undefined],
      ['POST', '/v1/tokens/bulk-delete', { ids: [primary] }],
    ] as const) {
      const res = await t.request(method, path, { ...root(), ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(409);
      expect(res.text).toContain('through its endpoint');
    }
    expect((await t.request('GET', `/v1/tokens/${primary}`, root())).body).toMatchObject({ status: 'active', name: on.body.primaries[0].token.name });
    const standard = await t.request('GET', '/v1/tokens?kind=standard&limit=200', root());
    expect(standard.body.items.every((i: { kind: string }) => i.kind === 'standard')).toBe(true);
    const primaries = await t.request('GET', '/v1/tokens?kind=primary&limit=200', root());
    expect(primaries.body.items.map((i: { id: string }) => i.id)).toContain(primary);
    const byId = await t.request('GET', `/v1/tokens?search=${primary}`, root());
    expect(byId.body.items.map((i: { id: string }) => i.id)).toEqual([primary]);
    await setAuth('invoices', { mode: 'none' });
  });

  it('internal: primaries work, secondaries are refused and cannot be assigned', async () => {
    await setAuth('invoices', { mode: 'token' });
    const app = await createSecondary({ name: 'Billing', assignments: [{ endpoint: 'invoices', method: 'POST' }] });
    const internal = await setAuth('invoices', { mode: 'internal' });
    expect(methods(internal.body)).toEqual(['POST', 'GET']);
    expect(await call(app.secret, 'POST', '/api/endpoints/invoices')).toBe('INSUFFICIENT_SCOPE');
    const regenerated = await t.request('POST', '/v1/endpoints/invoices/primary-tokens/POST/regenerate', root());
    expect(await call(regenerated.body.secret, 'POST', '/api/endpoints/invoices')).toBe('VALID');
    const refused = await t.request('PUT', `/v1/endpoint-tokens/${app.id}/assignments`, { ...root(), body: { assignments: [{ endpoint: 'invoices', method: 'GET' }] } });
    expect(refused.status).toBe(409);
    expect(refused.body.requestError.serviceException.text).toContain('assignments[0]');
    await setAuth('invoices', { mode: 'token' });
  });
});

describe('regenerate a primary', () => {
  it('gives a new secret once; the old one stops at once, or after the overlap asked for', async () => {
    await setAuth('customers', { mode: 'token' });
    const first = await t.request('POST', '/v1/endpoints/customers/primary-tokens/GET/regenerate', root());
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const second = await t.request('POST', '/v1/endpoints/customers/primary-tokens/GET/regenerate', { ...root(), body: { overlapSeconds: 60 } });
    expect(second.body.token.id).toBe(first.body.token.id);
    expect(await call(first.body.secret, 'GET', '/api/endpoints/customers')).toBe('VALID');
    t.clock.advance(61);
    expect(await call(first.body.secret, 'GET', '/api/endpoints/customers')).toBe('NOT_FOUND');
    expect(await call(second.body.secret, 'GET', '/api/endpoints/customers')).toBe('VALID');
    const third = await t.request('POST', '/v1/endpoints/customers/primary-tokens/GET/regenerate', root());
    expect(await call(second.body.secret, 'GET', '/api/endpoints/customers')).toBe('NOT_FOUND');
    expect(await call(third.body.secret, 'GET', '/api/endpoints/customers')).toBe('VALID');
  });

  it('refuses a method without a primary (409) and a method that is not POST, GET or DELETE (400)', async () => {
    expect(messageId(await t.request('POST', '/v1/endpoints/customers/primary-tokens/DELETE/regenerate', root()))).toBe('CONFLICT');
    expect((await t.request('POST', '/v1/endpoints/customers/primary-tokens/PATCH/regenerate', root())).status).toBe(400);
  });
});

describe('secondary tokens', () => {
  it('lists active ones by default and inactive on request; activates and deactivates', async () => {
    await setAuth('orders', { mode: 'token' });
    const app = await createSecondary({ name: 'Warehouse', enabled: false });
    const ids = async (status?: string) =>
      (await t.request('GET', `/v1/endpoint-tokens${status ? `?status=${status}` : ''}`, root())).body.items.map((i: { token: { id: string } }) => i.token.id);
    expect(await ids()).not.toContain(app.id);
    expect(await ids('inactive')).toContain(app.id);
    await t.request('POST', `/v1/endpoint-tokens/${app.id}/enable`, root());
    expect(await ids()).toContain(app.id);
    expect(await ids('inactive')).not.toContain(app.id);
    // Standard tokens are not endpoint tokens.
    expect(messageId(await t.request('POST', `/v1/endpoint-tokens/${t.rootId}/disable`, root()))).toBe('NOT_FOUND');
  });

  it('assign and unassign: removing one assignment cuts only that integration', async () => {
    await setAuth('orders', { mode: 'token' });
    const a = await createSecondary({ name: 'App A', assignments: [{ endpoint: 'orders', method: 'POST' }] });
    const b = await createSecondary({ name: 'App B', assignments: [{ endpoint: 'orders', method: 'POST' }] });
    const both = await t.request('PUT', `/v1/endpoint-tokens/${a.id}/assignments`, {
      ...root(), body: { assignments: [{ endpoint: 'orders', method: 'POST' }, { endpoint: 'orders', method: 'GET' }] },
    });
    expect(both.status).toBe(200);
    expect(both.body.token.scopes).toEqual(['endpoint:orders:GET', 'endpoint:orders:POST']);
    expect(await call(a.secret, 'GET', '/api/endpoints/orders')).toBe('VALID');
    await t.request('PUT', `/v1/endpoint-tokens/${a.id}/assignments`, { ...root(), body: { assignments: [{ endpoint: 'orders', method: 'GET' }] } });
    expect(await call(a.secret, 'POST', '/api/endpoints/orders')).toBe('INSUFFICIENT_SCOPE');
    expect(await call(a.secret, 'GET', '/api/endpoints/orders')).toBe('VALID');
    expect(await call(b.secret, 'POST', '/api/endpoints/orders')).toBe('VALID');
    const audit = await t.request('GET', `/v1/audit?action=endpoint.assign&tokenId=${a.id}`, root());
    expect(audit.body.items[0].after.assignments).toEqual([{ endpointId: 'orders', method: 'GET' }]);
  });

  it('the endpoint Tokens tab: assigned (hide unassigned), unassigned, all', async () => {
    await setAuth('invoices', { mode: 'token' });
    const on = await createSecondary({ name: 'Invoicer', assignments: [{ endpoint: 'invoices', method: 'GET' }] });
    const off = await createSecondary({ name: 'Not invoicing' });
    const ids = async (assigned: string) =>
      (await t.request('GET', `/v1/endpoints/invoices/tokens?assigned=${assigned}`, root())).body.items.map((i: { token: { id: string } }) => i.token.id);
    expect(await ids('true')).toContain(on.id);
    expect(await ids('true')).not.toContain(off.id);
    expect(await ids('false')).toContain(off.id);
    expect(await ids('false')).not.toContain(on.id);
    expect(await ids('all')).toEqual(expect.arrayContaining([on.id, off.id]));
    expect((await t.request('GET', '/v1/endpoints/invoices/tokens?assigned=maybe', root())).status).toBe(400);
  });

  it('names the field at fault and keeps scopes out of PATCH', async () => {
    const unknown = await t.request('POST', '/v1/endpoint-tokens', { ...root(), body: { name: 'x', assignments: [{ endpoint: 'nope', method: 'POST' }] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.requestError.serviceException.text).toContain('assignments[0].endpoint');
    const noName = await t.request('POST', '/v1/endpoint-tokens', { ...root(), body: { description: 'x' } });
    expect(noName.status).toBe(400);
    expect(noName.body.requestError.serviceException.text).toContain('name');
    expect((await t.request('PATCH', '/v1/account/policy', { ...root(), body: { permissionsEditable: true } })).status).toBe(200);
    const app = await createSecondary({ name: 'Patched' });
    const patch = await t.request('PATCH', `/v1/tokens/${app.id}`, { ...root(), body: { scopes: ['endpoint:orders:DELETE'] } });
    expect(patch.status).toBe(409);
    expect(patch.body.requestError.serviceException.text).toContain('assignments');
    await t.request('PATCH', '/v1/account/policy', { ...root(), body: { permissionsEditable: false } });
  });

  it('no escalation: a manager without the endpoint scopes cannot hand them out', async () => {
    const manager = await t.createToken({ name: 'manager', scopes: ['endpoints:manage', 'endpoint:orders:GET'] });
    const made = await t.request('POST', '/v1/endpoint-tokens', { token: manager.secret, body: { name: 'x', assignments: [{ endpoint: 'orders', method: 'POST' }] } });
    expect(made.status).toBe(403);
    const ok = await t.request('POST', '/v1/endpoint-tokens', { token: manager.secret, body: { name: 'y', assignments: [{ endpoint: 'orders', method: 'GET' }] } });
    expect(ok.status).toBe(201);
  });
});

describe('forward auth accepts endpoint tokens like any other token', () => {
  it('GET /v1/authorize with a secondary: allowed on its method, refused on another', async () => {
    await setAuth('orders', { mode: 'token' });
    const app = await createSecondary({ name: 'Gateway app', assignments: [{ endpoint: 'orders', method: 'POST' }] });
    const authorize = (method: string) =>
      t.request('GET', '/v1/authorize', { token: app.secret, headers: { 'x-original-method': method, 'x-original-uri': '/api/endpoints/orders' } });
    const allowed = await authorize('POST');
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('x-tessera-token-id')).toBe(app.id);
    expect((await authorize('GET')).status).toBe(403);
  });
});

describe('security', () => {
  itRefusesUnauthorised(() => t, { method: 'GET', path: '/v1/endpoints', permission: 'endpoints:manage' });
  itRefusesUnauthorised(() => t, { method: 'GET', path: '/v1/endpoints/orders/auth', permission: 'endpoints:manage' });
  itRefusesUnauthorised(() => t, { method: 'PUT', path: '/v1/endpoints/orders/auth', body: { mode: 'token' }, permission: 'endpoints:manage' });
  itRefusesUnauthorised(() => t, { method: 'POST', path: '/v1/endpoints/orders/primary-tokens/POST/regenerate', body: {}, permission: 'endpoints:manage' });
  itRefusesUnauthorised(() => t, { method: 'GET', path: '/v1/endpoints/orders/tokens?assigned=all', permission: 'endpoints:manage' });
  itRefusesUnauthorised(() => t, { method: 'POST', path: '/v1/endpoint-tokens', body: { name: 'x' }, permission: 'endpoints:manage' });
  itRefusesUnauthorised(() => t, { method: 'GET', path: '/v1/endpoint-tokens', permission: 'endpoints:manage' });
  const secondary = async (app: TestApp) => {
    const res = await app.request('POST', '/v1/endpoint-tokens', { token: app.rootSecret, body: { name: 'target' } });
    return res.body.token.token.id as string;
  };
  itRefusesUnauthorised(() => t, { method: 'POST', path: async (app) => `/v1/endpoint-tokens/${await secondary(app)}/disable`, permission: 'endpoints:manage' });
  itRefusesUnauthorised(() => t, { method: 'PUT', path: async (app) => `/v1/endpoint-tokens/${await secondary(app)}/assignments`, body: { assignments: [] }, permission: 'endpoints:manage' });
  it('documents the endpoint-token routes in the OpenAPI document', async () => {
    const doc = (await t.request('GET', '/openapi.json')).body;
    for (const path of ['/v1/endpoints/{id}/auth', '/v1/endpoints/{id}/primary-tokens/{method}/regenerate', '/v1/endpoints/{id}/tokens', '/v1/endpoint-tokens/{id}/assignments']) {
      expect(doc.paths[path]).toBeDefined();
    }
  });
});
