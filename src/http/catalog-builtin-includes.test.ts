// Catalog scopes that include Tessera's own permissions: the IoT platform's `admin` reaches the account's tokens, the
// integration platform's data viewer reads its endpoints' usage; nothing escalates through them.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageId, startTestApp, type TestApp } from '../testing/test-app.js';

const example = (name: string) => readFileSync(new URL(`../../examples/catalogs/${name}.yaml`, import.meta.url), 'utf8');
const text = (res: { body: { requestError: { serviceException: { text: string } } } }) => res.body.requestError.serviceException.text;

describe('IoT admin ("access to the whole account") manages the account’s tokens', () => {
  let t: TestApp;
  let admin: { id: string; secret: string };
  beforeAll(async () => {
    t = await startTestApp();
    expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: example('iot'), format: 'yaml' } })).status).toBe(200);
    admin = await t.createToken({ name: 'iot admin', scopes: ['admin'] });
  });
  afterAll(async () => t.close());

  it('lists, creates, edits and revokes tokens, and reads usage and audit', async () => {
    expect((await t.request('GET', '/v1/tokens', { token: admin.secret })).status).toBe(200);
    const made = await t.request('POST', '/v1/tokens', { token: admin.secret, body: { name: 'sensors', scopes: ['device:*:AccessDeviceResources'] } });
    expect(made.status).toBe(201);
    expect(made.body.token.parentId).toBe(admin.id);
    expect((await t.request('POST', `/v1/tokens/${made.body.token.id}/disable`, { token: admin.secret })).status).toBe(200);
    expect((await t.request('POST', `/v1/tokens/${made.body.token.id}/revoke`, { token: admin.secret })).status).toBe(200);
    expect((await t.request('GET', '/v1/usage', { token: admin.secret })).status).toBe(200);
    expect((await t.request('GET', '/v1/audit', { token: admin.secret })).status).toBe(200);
  });

  it('cannot escalate: no "*" child, no catalog write, no account policy', async () => {
    const star = await t.request('POST', '/v1/tokens', { token: admin.secret, body: { name: 'root again', scopes: ['*'] } });
    expect(star.status).toBe(403);
    expect(text(star)).toMatch(/^scopes:/);
    const writer = await t.request('POST', '/v1/tokens', { token: admin.secret, body: { name: 'writer', scopes: ['catalog:write'] } });
    expect(writer.status).toBe(403);
    const apply = await t.request('PUT', '/v1/catalog', { token: admin.secret, body: { source: example('iot'), format: 'yaml' } });
    expect(apply.status).toBe(403);
    expect(messageId(apply)).toBe('FORBIDDEN');
    expect((await t.request('PATCH', '/v1/account/policy', { token: admin.secret, body: { permissionsEditable: true } })).status).toBe(403);
  });

  it('a deny rule takes the included permission away; other scopes never had it', async () => {
    const denied = await t.createToken({ name: 'admin without create', scopes: ['admin'], deny: ['tokens:create'] });
    expect((await t.request('POST', '/v1/tokens', { token: denied.secret, body: { name: 'x', scopes: ['device:*:ListDevices'] } })).status).toBe(403);
    expect((await t.request('GET', '/v1/tokens', { token: denied.secret })).status).toBe(200);
    const devices = await t.createToken({ name: 'devices', scopes: ['device:*:*'] });
    const refused = await t.request('GET', '/v1/tokens', { token: devices.secret });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('scope="tokens:read"');
    // A parent that cannot revoke makes only children that cannot either (no escalation keeps its deny).
    const parent = await t.createToken({ name: 'reader parent', scopes: ['admin', 'tokens:create'], deny: ['tokens:revoke'] });
    const child = await t.request('POST', '/v1/tokens', { token: parent.secret, body: { name: 'child', scopes: ['admin'], deny: ['tokens:revoke'] } });
    expect(child.status).toBe(201);
    const victim = await t.createToken({ name: 'victim', scopes: ['device:*:ListDevices'] });
    expect((await t.request('POST', `/v1/tokens/${victim.id}/revoke`, { token: child.body.secret })).status).toBe(403);
  });
});

describe('catalog includes of built-in permissions cannot escalate through catalog:write', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('applying a catalog whose scope includes a permission the applier lacks is 403 naming source; nothing changes', async () => {
    const writer = await t.createToken({ name: 'catalog writer', scopes: ['catalog:write', 'catalog:read'] });
    const sneaky = 'version: 1\nname: sneaky\nscopes:\n  - { scope: "orders:read", includes: ["tokens:create"] }\n';
    const res = await t.request('PUT', '/v1/catalog', { token: writer.secret, body: { source: sneaky, format: 'yaml' } });
    expect(res.status).toBe(403);
    expect(text(res)).toMatch(/^source: scopes\[0\]\.includes\[0\] \("tokens:create"\) grants Tessera's tokens:create/);
    expect((await t.request('GET', '/v1/catalog', { token: writer.secret })).status).toBe(404);
    const open = 'version: 1\nname: open\nscopes:\n  - { scope: "orders:read" }\n  - { scope: "all", includes: ["*", "catalog:read"] }\n';
    const wide = await t.request('PUT', '/v1/catalog', { token: writer.secret, body: { source: open, format: 'yaml' } });
    // `*` beside a built-in include makes the scope as good as root: only a holder of everything may write it.
    expect(wide.status).toBe(403);
    expect(text(wide)).toMatch(/^source: scopes\[1\]\.includes/);
    expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: sneaky, format: 'yaml' } })).status).toBe(200);
  });

  it('refuses an include that names neither a catalog scope nor a built-in one', async () => {
    const bad = 'version: 1\nname: bad\nscopes:\n  - { scope: "orders:read", includes: ["tokens:fly"] }\n';
    const res = await t.request('POST', '/v1/catalog/validate', { token: t.rootSecret, body: { source: bad, format: 'yaml' } });
    expect(res.body).toMatchObject({ valid: false, errors: [{ path: 'scopes[0].includes[0]', message: 'matches no declared scope' }] });
  });
});

describe('the integration catalog’s data viewer reads its endpoints’ usage', () => {
  let t: TestApp;
  let viewer: { id: string; secret: string };
  const route = encodeURIComponent('POST /api/endpoints/orders');
  beforeAll(async () => {
    t = await startTestApp();
    expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: example('integration'), format: 'yaml' } })).status).toBe(200);
    viewer = await t.createToken({ name: 'data viewer', scopes: ['data-viewer:read'] });
    const checked = await t.request('POST', '/v1/verify', { body: { token: t.rootSecret, endpoint: { method: 'POST', path: '/api/endpoints/orders' } } });
    expect(checked.body.code).toBe('VALID');
    await t.request('POST', '/v1/verify', { body: { token: t.rootSecret, scopes: ['tokens:read'] } });
    await t.tessera.ctx.usage.flush();
  });
  afterAll(async () => t.close());

  it('reads the usage of one token-authenticated endpoint, buckets and events', async () => {
    const buckets = await t.request('GET', `/v1/usage?endpoint=${route}&bucket=day`, { token: viewer.secret });
    expect(buckets.status).toBe(200);
    expect(buckets.body.items).toEqual([expect.objectContaining({ tokenId: t.rootId, endpoint: 'POST /api/endpoints/orders', outcome: 'VALID', count: 1 })]);
    const events = await t.request('GET', `/v1/usage/events?endpoint=${route}`, { token: viewer.secret });
    expect(events.status).toBe(200);
    const concrete = await t.request('GET', `/v1/usage/events?endpoint=${encodeURIComponent('DELETE /api/endpoints/orders/r1')}`, { token: viewer.secret });
    expect(concrete.status).toBe(200);
  });

  it.each([
    ['/v1/usage', 'no endpoint filter'],
    [`/v1/usage?endpoint=${encodeURIComponent('GET /api/data-viewer/{endpoint_name}')}`, 'an endpoint without token authentication'],
    [`/v1/usage/events?endpoint=${encodeURIComponent('GET /nowhere')}`, 'an unknown endpoint'],
    [`/v1/usage/events?tokenId=${encodeURIComponent('tok_x')}`, 'a token filter alone'],
  ])('refuses %s (%s) with 403 naming endpoint', async (path) => {
    const res = await t.request('GET', path, { token: viewer.secret });
    expect(res.status).toBe(403);
    expect(text(res)).toMatch(/^endpoint: usage:endpoints:read/);
  });

  it('grants nothing else of Tessera’s: tokens, audit, catalog stay closed', async () => {
    for (const path of ['/v1/tokens', '/v1/audit', '/v1/catalog']) expect((await t.request('GET', path, { token: viewer.secret })).status).toBe(403);
  });
});
