// Integration platform: an endpoint the catalog declares `auth: token` starts with token authentication on; its POST and GET
// primaries (DELETE where deleting is allowed) are generated at first need, secrets shown once, to a manager.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

const integration = readFileSync(new URL('../../../examples/catalogs/integration.yaml', import.meta.url), 'utf8');

let t: TestApp;
let tokensBefore: number;
const countTokens = async () => (await t.request('GET', '/v1/tokens?status=all&limit=200', { token: t.rootSecret })).body.items.length as number;
const auth = (id: string, as = t.rootSecret) => t.request('GET', `/v1/endpoints/${id}/auth`, { token: as });

beforeAll(async () => {
  t = await startTestApp();
  tokensBefore = await countTokens();
  expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: integration, format: 'yaml' } })).status).toBe(200);
});
afterAll(async () => t.close());

describe('endpoints declared auth: token', () => {
  it('are listed in token mode with their primaries due; applying the catalog generated no secret', async () => {
    const list = await t.request('GET', '/v1/endpoints', { token: t.rootSecret });
    expect(list.status).toBe(200);
    expect(list.body.items.map((e: { id: string; mode: string; primariesPending: string[] }) => [e.id, e.mode, e.primariesPending])).toEqual([
      ['orders', 'token', ['POST', 'GET', 'DELETE']],
      ['customers', 'token', ['POST', 'GET']],
      ['invoices', 'token', ['POST', 'GET']],
    ]);
    expect(await countTokens()).toBe(tokensBefore);
  });

  it('accept a secondary before their primaries exist: it works on its method at once', async () => {
    const app = await t.request('POST', '/v1/endpoint-tokens', { token: t.rootSecret, body: { name: 'CRM', assignments: [{ endpoint: 'invoices', method: 'POST' }] } });
    expect(app.status).toBe(201);
    expect(app.body.token.assignments).toEqual([{ endpoint: 'invoices', method: 'POST', active: true }]);
    const call = (method: string) => t.request('GET', '/v1/authorize', { headers: { authorization: `Bearer ${app.body.secret}`, 'x-original-method': method, 'x-original-uri': '/api/endpoints/invoices' } });
    expect((await call('POST')).status).toBe(200);
    expect((await call('GET')).status).toBe(403);
  });

  it('a manager lacking the primaries’ scopes cannot generate them: 403 naming mode, nothing generated', async () => {
    const mgr = await t.createToken({ name: 'manager without scopes', scopes: ['endpoints:manage'] });
    const before = await countTokens();
    const res = await t.request('PUT', '/v1/endpoints/customers/auth', { token: mgr.secret, body: {} });
    expect(res.status).toBe(403);
    expect(messageId(res)).toBe('FORBIDDEN');
    expect(res.body.requestError.serviceException.text).toMatch(/^mode:/);
    expect(await countTokens()).toBe(before);
    expect((await auth('customers')).body.primariesPending).toEqual(['POST', 'GET']);
  });

  it('the first change by a manager holding their scopes generates them, its children, secrets shown once', async () => {
    const mgr = await t.createToken({ name: 'customers manager', scopes: ['endpoints:manage', 'endpoint:customers:*'] });
    const res = await t.request('PUT', '/v1/endpoints/customers/auth', { token: mgr.secret, body: {} });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.generated.map((g: { method: string }) => g.method)).toEqual(['POST', 'GET']);
    for (const g of res.body.generated) expect(g.secret).toMatch(/^tsr_/);
    expect(res.body.primariesPending).toEqual([]);
    for (const p of res.body.primaries) expect(p.token).toMatchObject({ parentId: mgr.id });
    const again = await auth('customers', mgr.secret);
    expect(again.body.primaries).toHaveLength(2);
    expect(again.text).not.toContain(res.body.generated[0].secret);
    const twice = await t.request('PUT', '/v1/endpoints/customers/auth', { token: mgr.secret, body: {} });
    expect(twice.body.generated).toEqual([]);
  });

  it('an operator’s explicit none stays none: secondaries cannot be assigned to it', async () => {
    expect((await t.request('PUT', '/v1/endpoints/orders/auth', { token: t.rootSecret, body: { mode: 'none' } })).body).toMatchObject({ mode: 'none', primariesPending: [] });
    const res = await t.request('POST', '/v1/endpoint-tokens', { token: t.rootSecret, body: { name: 'ERP', assignments: [{ endpoint: 'orders', method: 'GET' }] } });
    expect(res.status).toBe(409);
    expect(res.body.requestError.serviceException.text).toMatch(/^assignments\[0\]:/);
  });
});
