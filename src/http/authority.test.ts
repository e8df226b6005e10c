/**
 * Authority never grows (docs/security.md): every credential is bounded by its whole chain of creators — at
 * creation, after any change on the chain, and at every check. Each case is an attack tried from outside.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../service/index.js';
import { messageId, startTestApp, type TestApp } from '../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  const catalog = {
    version: 1,
    name: 'authority',
    scopes: [{ scope: 'a:read' }, { scope: 'a:write' }, { scope: 'admin:all' }, { scope: 'everything:app', includes: ['*'] }],
    endpoints: [
      { endpoint: 'GET /public/{id}', scopes: ['a:read'] },
      { endpoint: 'DELETE /items/{id}', scopes: ['a:write'] },
      { endpoint: 'GET /admin', scopes: ['admin:all'] },
    ],
  };
  const applied = await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { document: catalog } });
  expect(applied.status, applied.text).toBe(200);
});
afterAll(async () => t.close());

const at = (secondsFromNow: number) => new Date(t.clock.ms + secondsFromNow * 1000).toISOString();
const verify = (token: string, body: Record<string, unknown> = {}) => t.request('POST', '/v1/verify', { body: { token, ip: '127.0.0.1', ...body } });
const codeOf = async (token: string, body: Record<string, unknown> = {}) => (await verify(token, body)).body.code as string;
const manager = (body: Record<string, unknown> = {}) =>
  t.createToken({ name: 'manager', scopes: ['tokens:create', 'tokens:read', 'tokens:update', 'tokens:revoke', 'tokens:delete', 'tokens:issue', 'a:read', 'a:write'], ...body });

describe('a token cannot lift its own constraints', () => {
  it('PATCH of itself cannot remove or extend its expiry, nor drop or widen its addresses; narrowing works', async () => {
    const self = await manager({ expiresAt: at(3600), allowedIps: ['127.0.0.0/8'] });
    for (const [body, field] of [
      [{ expiresAt: null }, 'expiresAt'],
      [{ expiresAt: at(7200) }, 'expiresAt'],
      [{ allowedIps: [] }, 'allowedIps'],
      [{ allowedIps: ['0.0.0.0/0'] }, 'allowedIps[0]'],
      [{ allowedIps: ['127.0.0.1', '10.0.0.1'] }, 'allowedIps[1]'],
    ] as const) {
      const res = await t.request('PATCH', `/v1/tokens/${self.id}`, { token: self.secret, body });
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(res.text).toContain(field);
    }
    const unchanged = await t.request('GET', `/v1/tokens/${self.id}`, { token: t.rootSecret });
    expect(unchanged.body).toMatchObject({ expiresAt: self.token.expiresAt, allowedIps: ['127.0.0.0/8'], version: 1 });

    const narrowed = await t.request('PATCH', `/v1/tokens/${self.id}`, { token: self.secret, body: { expiresAt: at(60), allowedIps: ['127.0.0.1'] } });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body).toMatchObject({ expiresAt: at(60), allowedIps: ['127.0.0.1'] });
  });

  it('another token can only extend a token up to its own chain and the token’s own creator', async () => {
    const parent = await manager({ expiresAt: at(600) });
    const child = await t.createToken({ name: 'child', scopes: ['a:read'], expiresAt: at(300) }, parent.secret);
    // The root may extend it, but not past the parent that made it.
    const past = await t.request('PATCH', `/v1/tokens/${child.id}`, { token: t.rootSecret, body: { expiresAt: at(3600) } });
    expect(past.status).toBe(403);
    expect(past.text).toContain('expiresAt');
    const within = await t.request('PATCH', `/v1/tokens/${child.id}`, { token: t.rootSecret, body: { expiresAt: at(600) } });
    expect(within.status).toBe(200);
  });
});

describe('children are within their creator', () => {
  it('inherit the creator’s expiry and addresses when they are omitted', async () => {
    const parent = await manager({ expiresAt: at(4), allowedIps: ['127.0.0.1/32'] });
    const child = await t.createToken({ name: 'child', scopes: ['a:read'] }, parent.secret);
    expect(child.token).toMatchObject({ expiresAt: at(4), allowedIps: ['127.0.0.1'], parentId: parent.id });
  });

  it('cannot get a Tessera permission its creator lacks through a catalog scope that includes everything', async () => {
    // `everything:app` includes `*` in the catalog; includes starting with `*` never grant Tessera's own permissions.
    const holder = await t.createToken({ name: 'app admin', scopes: ['everything:app', 'tokens:create'] });
    for (const scopes of [['*'], ['account:manage'], ['tokens:*']]) {
      const res = await t.request('POST', '/v1/tokens', { token: holder.secret, body: { name: 'escalated', scopes } });
      expect(res.status, JSON.stringify(scopes)).toBe(403);
      expect(res.text).toContain('scopes');
    }
    const fine = await t.request('POST', '/v1/tokens', { token: holder.secret, body: { name: 'app', scopes: ['a:read', 'tokens:create'] } });
    expect(fine.status).toBe(201);
  });

  it('GET /v1/account tells a token what it may grant', async () => {
    const parent = await manager({ expiresAt: at(600), allowedIps: ['127.0.0.1', '203.0.113.0/24'] });
    const child = await t.createToken({ name: 'child', scopes: ['tokens:read'], allowedIps: ['127.0.0.1'] }, parent.secret);
    const seen = await t.request('GET', '/v1/account', { token: child.secret });
    expect(seen.status).toBe(200);
    expect(seen.body.caller).toEqual({ tokenId: child.id, name: 'child', scopes: ['tokens:read'], deny: [], expiresAt: at(600), allowedIps: ['127.0.0.1'] });
    expect((await t.request('GET', '/v1/account', { token: t.rootSecret })).body.caller).toMatchObject({ tokenId: t.rootId, expiresAt: null, allowedIps: [] });
  });

  it('refuse a wider expiry or address list with 403 naming the field, creating nothing', async () => {
    const parent = await manager({ expiresAt: at(4), allowedIps: ['127.0.0.1/32'] });
    const before = await t.request('GET', '/v1/tokens?status=all&limit=200', { token: t.rootSecret });
    for (const [body, field] of [
      [{ expiresAt: null }, 'expiresAt'],
      [{ expiresAt: at(365 * 86400) }, 'expiresAt'],
      [{ allowedIps: [] }, 'allowedIps'],
      [{ allowedIps: ['0.0.0.0/0'] }, 'allowedIps[0]'],
      [{ allowedIps: ['127.0.0.1', '203.0.113.9'] }, 'allowedIps[1]'],
    ] as const) {
      const res = await t.request('POST', '/v1/tokens', { token: parent.secret, body: { name: 'wide', scopes: ['a:read'], ...body } });
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(messageId(res)).toBe('FORBIDDEN');
      expect(res.text).toContain(`${field}:`);
    }
    const after = await t.request('GET', '/v1/tokens?status=all&limit=200', { token: t.rootSecret });
    expect(after.body.items.length).toBe(before.body.items.length);
  });

  it('are refused once the creator has expired, or from an address the creator may not use', async () => {
    const parent = await manager({ expiresAt: at(4), allowedIps: ['127.0.0.1/32', '203.0.113.0/24'] });
    const child = await t.createToken({ name: 'child', scopes: ['a:read'], expiresAt: at(4), allowedIps: ['203.0.113.0/24'] }, parent.secret);
    expect(await codeOf(child.secret, { ip: '203.0.113.9' })).toBe('VALID');
    expect(await codeOf(child.secret, { ip: '198.51.100.1' })).toBe('IP_NOT_ALLOWED');
    t.clock.advance(5);
    try {
      expect(await codeOf(parent.secret)).toBe('EXPIRED');
      expect(await codeOf(child.secret, { ip: '203.0.113.9' })).toBe('EXPIRED');
    } finally {
      t.clock.advance(-5);
    }
  });

  it('follow a narrowing of their creator’s addresses made after they were created', async () => {
    const parent = await manager({ allowedIps: ['127.0.0.1', '203.0.113.0/24'] });
    const child = await t.createToken({ name: 'child', scopes: ['a:read'], allowedIps: ['203.0.113.0/24'] }, parent.secret);
    expect(await codeOf(child.secret, { ip: '203.0.113.9' })).toBe('VALID');
    const narrowed = await t.request('PATCH', `/v1/tokens/${parent.id}`, { token: t.rootSecret, body: { allowedIps: ['127.0.0.1', '203.0.113.128/25'] } });
    expect(narrowed.status).toBe(200);
    expect(await codeOf(child.secret, { ip: '203.0.113.9' })).toBe('IP_NOT_ALLOWED');
    expect(await codeOf(child.secret, { ip: '203.0.113.200' })).toBe('VALID');
  });

  it('are inert while their creator is disabled, and work again once it is enabled', async () => {
    const parent = await manager();
    const child = await t.createToken({ name: 'child', scopes: ['a:read'] }, parent.secret);
    const grandchild = await t.createToken({ name: 'grandchild', scopes: ['a:read'] }, (await t.createToken({ name: 'mid', scopes: ['tokens:create', 'a:read'] }, parent.secret)).secret);
    expect(await codeOf(child.secret)).toBe('VALID');
    expect((await t.request('POST', `/v1/tokens/${parent.id}/disable`, { token: t.rootSecret })).status).toBe(200);
    expect(await codeOf(child.secret)).toBe('DISABLED');
    expect(await codeOf(grandchild.secret)).toBe('DISABLED');
    const asChild = await t.request('GET', '/v1/tokens', { token: child.secret });
    expect(asChild.status).toBe(401);
    expect((await t.request('POST', `/v1/tokens/${parent.id}/enable`, { token: t.rootSecret })).status).toBe(200);
    expect(await codeOf(child.secret)).toBe('VALID');
    expect(await codeOf(grandchild.secret)).toBe('VALID');
  });

  it('lose a scope their creator no longer holds (editable permissions)', async () => {
    await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { permissionsEditable: true } });
    try {
      const parent = await manager();
      const child = await t.createToken({ name: 'child', scopes: ['a:read', 'a:write'] }, parent.secret);
      expect(await codeOf(child.secret, { scopes: ['a:write'] })).toBe('VALID');
      const narrowed = await t.request('PATCH', `/v1/tokens/${parent.id}`, { token: t.rootSecret, body: { scopes: ['tokens:create', 'a:read'] } });
      expect(narrowed.status).toBe(200);
      const denied = await verify(child.secret, { scopes: ['a:write'] });
      expect(denied.body).toMatchObject({ valid: false, code: 'INSUFFICIENT_SCOPE' });
      expect(await codeOf(child.secret, { scopes: ['a:read'] })).toBe('VALID');
      // Nor can the child's permissions be edited back above its creator's.
      const widen = await t.request('PATCH', `/v1/tokens/${child.id}`, { token: t.rootSecret, body: { scopes: ['a:read', 'a:write', 'admin:all'] } });
      expect(widen.status).toBe(403);
    } finally {
      await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { permissionsEditable: false } });
    }
  });

  it('are revoked, not left behind, when their creator is deleted; re-creating its id revives nothing', async () => {
    const parent = await manager({ id: 'recreated_parent' });
    const child = await t.createToken({ name: 'child', scopes: ['a:read'] }, parent.secret);
    const deleted = await t.request('POST', '/v1/tokens/bulk-delete', { token: t.rootSecret, body: { ids: [parent.id] } });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ deleted: [parent.id], cascaded: [child.id] });
    await manager({ id: 'recreated_parent' });
    expect(await codeOf(child.secret)).toBe('REVOKED');
  });
});

/** A second app on the integration platform's catalog, closed after `fn`. */
async function withIntegrationApp(fn: (t2: TestApp) => Promise<void>): Promise<void> {
  const t2 = await startTestApp();
  try {
    const integration = readFileSync(new URL('../../examples/catalogs/integration.yaml', import.meta.url), 'utf8');
    expect((await t2.request('PUT', '/v1/catalog', { token: t2.rootSecret, body: { source: integration, format: 'yaml' } })).status).toBe(200);
    await fn(t2);
  } finally {
    await t2.close();
  }
}

describe('endpoint tokens belong to the token that made them', () => {
  it('die with their manager: revoking it cascades to primaries and secondaries, and forward auth refuses them', async () => {
    await withIntegrationApp(async (t2) => {
      const mgr = await t2.createToken({ name: 'endpoint manager', scopes: ['endpoints:manage', 'endpoint:orders:*'], expiresAt: new Date(t2.clock.ms + 3600_000).toISOString() });
      const on = await t2.request('PUT', '/v1/endpoints/orders/auth', { token: mgr.secret, body: { mode: 'token' } });
      expect(on.status).toBe(200);
      const primaries = on.body.generated as { method: string; tokenId: string; secret: string }[];
      // Within the manager: its expiry, and it as parent.
      for (const p of on.body.primaries) expect(p.token).toMatchObject({ parentId: mgr.id, createdBy: mgr.id, expiresAt: mgr.token.expiresAt });
      const secondary = await t2.request('POST', '/v1/endpoint-tokens', { token: mgr.secret, body: { name: 'CRM', assignments: [{ endpoint: 'orders', method: 'POST' }] } });
      expect(secondary.status).toBe(201);
      const authorize = (secret: string) =>
        t2.request('GET', '/v1/authorize', { headers: { authorization: `Bearer ${secret}`, 'x-original-method': 'POST', 'x-original-uri': '/api/endpoints/orders' } });
      const post = primaries.find((p) => p.method === 'POST')!;
      expect((await authorize(post.secret)).status).toBe(200);
      expect((await authorize(secondary.body.secret)).status).toBe(200);

      const revoked = await t2.request('POST', `/v1/tokens/${mgr.id}/revoke`, { token: t2.rootSecret });
      expect(revoked.status).toBe(200);
      expect([...revoked.body.cascaded].sort()).toEqual([...primaries.map((p) => p.tokenId), secondary.body.token.token.id].sort());
      expect((await authorize(post.secret)).status).toBe(401);
      expect((await authorize(secondary.body.secret)).status).toBe(401);
    });
  });

  it('a regenerated primary belongs to the token that regenerated it, and dies with it', async () => {
    await withIntegrationApp(async (t2) => {
      expect((await t2.request('PUT', '/v1/endpoints/orders/auth', { token: t2.rootSecret, body: { mode: 'token' } })).status).toBe(200);
      const mgr = await t2.createToken({ name: 'regenerator', scopes: ['endpoints:manage', 'endpoint:orders:*'], allowedIps: ['127.0.0.1'] });
      const regenerated = await t2.request('POST', '/v1/endpoints/orders/primary-tokens/POST/regenerate', { token: mgr.secret, body: {} });
      expect(regenerated.status, regenerated.text).toBe(200);
      expect(regenerated.body.token).toMatchObject({ parentId: mgr.id, allowedIps: ['127.0.0.1'] });
      const check = (secret: string) => t2.request('POST', '/v1/verify', { body: { token: secret, ip: '127.0.0.1', endpoint: { method: 'POST', path: '/api/endpoints/orders' } } });
      expect((await check(regenerated.body.secret)).body.code).toBe('VALID');
      expect((await t2.request('DELETE', `/v1/tokens/${mgr.id}`, { token: t2.rootSecret })).status).toBe(204);
      expect((await check(regenerated.body.secret)).body.code).toBe('REVOKED');
    });
  });

  it('a manager cannot hand out a primary for an endpoint whose scope it does not hold', async () => {
    await withIntegrationApp(async (t2) => {
      const mgr = await t2.createToken({ name: 'endpoint manager', scopes: ['endpoints:manage'] });
      const on = await t2.request('PUT', '/v1/endpoints/orders/auth', { token: mgr.secret, body: { mode: 'token' } });
      expect(on.status).toBe(403);
      expect(on.text).toContain('mode');
      expect((await t2.request('GET', '/v1/endpoints/orders/auth', { token: t2.rootSecret })).body.primaries).toEqual([]);
    });
  });
});

describe('issued JWTs are bound to the exact token that issued them', () => {
  it('a JWT from a deleted token stays dead when the id is re-created within the same millisecond', async () => {
    const first = await manager({ id: 'jwt_issuer', profileId: 'old-profile' });
    const issued = await t.request('POST', '/v1/auth/issue-token', { token: first.secret, body: { scope: 'a:read' } });
    expect(issued.status).toBe(200);
    expect(await codeOf(issued.body.token, { scopes: ['a:read'] })).toBe('VALID');
    expect((await t.request('DELETE', `/v1/tokens/${first.id}`, { token: t.rootSecret })).status).toBe(204);
    await manager({ id: 'jwt_issuer', profileId: 'new-profile' });
    const answer = await verify(issued.body.token, { scopes: ['a:read'] });
    expect(answer.body).toMatchObject({ valid: false, code: 'NOT_FOUND' });
    expect(answer.text).not.toContain('old-profile');
  });

  it('a JWT keeps what its issuer still holds when the issuer is narrowed, and only that', async () => {
    await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { permissionsEditable: true } });
    try {
      const issuer = await t.createToken({ name: 'narrowed issuer', scopes: ['tokens:issue', 'a:read', 'a:write'] });
      const issued = await t.request('POST', '/v1/auth/issue-token', { token: issuer.secret, body: { scope: 'a:read a:write' } });
      expect(await codeOf(issued.body.token, { scopes: ['a:write'] })).toBe('VALID');
      expect((await t.request('PATCH', `/v1/tokens/${issuer.id}`, { token: t.rootSecret, body: { scopes: ['tokens:issue', 'a:read'] } })).status).toBe(200);
      expect(await codeOf(issued.body.token, { scopes: ['a:write'] })).toBe('INSUFFICIENT_SCOPE');
      expect(await codeOf(issued.body.token, { scopes: ['a:read'] })).toBe('VALID');
    } finally {
      await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { permissionsEditable: false } });
    }
  });

  it('a JWT is refused while a token above its issuer is disabled, and is capped by the chain’s expiry', async () => {
    const parent = await manager({ expiresAt: at(120) });
    const issuer = await t.createToken({ name: 'issuer', scopes: ['tokens:issue', 'a:read'] }, parent.secret);
    const issued = await t.request('POST', '/v1/auth/issue-token', { token: issuer.secret, body: { scope: 'a:read', expires_in: '1h' } });
    expect(issued.status).toBe(200);
    expect(issued.body.expires_in).toBeLessThanOrEqual(120);
    expect(await codeOf(issued.body.token, { scopes: ['a:read'] })).toBe('VALID');
    await t.request('POST', `/v1/tokens/${parent.id}/disable`, { token: t.rootSecret });
    expect(await codeOf(issued.body.token, { scopes: ['a:read'] })).toBe('DISABLED');
    await t.request('POST', `/v1/tokens/${parent.id}/enable`, { token: t.rootSecret });
    expect(await codeOf(issued.body.token, { scopes: ['a:read'] })).toBe('VALID');
  });
});

describe('the account cannot lock itself out', () => {
  beforeEach(async () => {
    // Only the root token can manage the account here: other managers made by earlier tests are revoked.
    const all = await t.request('GET', '/v1/tokens?limit=200', { token: t.rootSecret });
    for (const token of all.body.items) {
      if (token.id !== t.rootId && token.scopes.includes('*')) await t.request('POST', `/v1/tokens/${token.id}/revoke`, { token: t.rootSecret });
    }
  });

  it('refuses to revoke, delete or disable the last token that can manage the account (409), changing nothing', async () => {
    for (const [method, path] of [
      ['POST', `/v1/tokens/${t.rootId}/revoke`],
      ['POST', `/v1/tokens/${t.rootId}/disable`],
      ['DELETE', `/v1/tokens/${t.rootId}`],
    ] as const) {
      const res = await t.request(method, path, { token: t.rootSecret });
      expect(res.status, path).toBe(409);
      expect(messageId(res)).toBe('CONFLICT');
      expect(res.text).toContain('manage');
    }
    const bulk = await t.request('POST', '/v1/tokens/bulk-delete', { token: t.rootSecret, body: { ids: [t.rootId] } });
    expect(bulk.status).toBe(409);
    const patch = await t.request('PATCH', `/v1/tokens/${t.rootId}`, { token: t.rootSecret, body: { enabled: false } });
    expect(patch.status).toBe(409);
    expect(await codeOf(t.rootSecret)).toBe('VALID');
  });

  it('counts only managers outside what the action takes away', async () => {
    // Every token made through the API descends from the root: disabling the root would make them all inert.
    const spare = await t.createToken({ name: 'spare admin', scopes: ['*'] });
    expect((await t.request('POST', `/v1/tokens/${t.rootId}/disable`, { token: spare.secret })).status).toBe(409);
    // The root remains: the spare can go.
    expect((await t.request('POST', `/v1/tokens/${spare.id}/disable`, { token: t.rootSecret })).status).toBe(200);
    // A manager outside the root's tree (made on the database, as `tessera token create` does) lets the root go.
    const outside = await t.tessera.createToken(systemActor((await t.request('GET', '/v1/account', { token: t.rootSecret })).body.id), {
      name: 'break-glass',
      scopes: ['*'],
    });
    expect((await t.request('POST', `/v1/tokens/${t.rootId}/disable`, { token: outside.secret })).status).toBe(200);
    expect((await t.request('POST', `/v1/tokens/${outside.token.id}/revoke`, { token: outside.secret })).status).toBe(409);
    expect((await t.request('POST', `/v1/tokens/${t.rootId}/enable`, { token: outside.secret })).status).toBe(200);
    expect((await t.request('POST', `/v1/tokens/${outside.token.id}/revoke`, { token: t.rootSecret })).status).toBe(200);
  });
});
