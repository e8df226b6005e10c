import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itRefusesUnauthorised } from '../../testing/security-cases.js';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const target = async (app: TestApp) => `/v1/tokens/${(await app.createToken({ name: 'target', scopes: ['x:read'] })).id}`;

describe('POST /v1/tokens', () => {
  it('creates a token and returns the secret once', async () => {
    const res = await t.request('POST', '/v1/tokens', {
      token: t.rootSecret,
      body: {
        name: 'Billing sender', description: 'sends invoices', profileId: 'billing-bot',
        scopes: ['message:send', 'sms:logs:read'], deny: ['message:send:admin'],
        expiresAt: '2027-01-01T00:00:00Z', allowedIps: ['192.168.1.7', '2001:db8::/32'], metadata: { team: 'billing' },
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.secret).toMatch(/^tsr_[A-Za-z0-9]{64}$/);
    const token = res.body.token;
    expect(token).toMatchObject({
      name: 'Billing sender', profileId: 'billing-bot', status: 'active', enabled: true,
      scopes: ['message:send', 'sms:logs:read'], deny: ['message:send:admin'], expiresAt: '2027-01-01T00:00:00.000Z',
      allowedIps: ['192.168.1.7', '2001:db8::/32'], metadata: { team: 'billing' }, createdBy: t.rootId, parentId: t.rootId, version: 1,
    });
    expect(token.id).toMatch(/^tok_[A-Za-z0-9]{22}$/);
    expect(token.hint).toBe(`tsr_${res.body.secret.slice(4, 8)}…${res.body.secret.slice(-4)}`);
    const again = await t.request('GET', `/v1/tokens/${token.id}`, { token: t.rootSecret });
    expect(again.text).not.toContain(res.body.secret);
    expect(again.body.secret).toBeUndefined();
  });

  it('takes a chosen id, unique in the account (409 otherwise)', async () => {
    const first = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { id: 'sigfox_callback', name: 'a', scopes: ['a:b'] } });
    expect(first.status).toBe(201);
    expect(first.body.token.id).toBe('sigfox_callback');
    const second = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { id: 'sigfox_callback', name: 'b', scopes: ['a:b'] } });
    expect(second.status).toBe(409);
    expect(messageId(second)).toBe('CONFLICT');
    expect(second.body.requestError.serviceException.text).toContain('id');
  });

  it.each([
    [{ name: 'x', scopes: [] }, 'scopes'],
    [{ scopes: ['a:b'] }, 'name'],
    [{ name: '', scopes: ['a:b'] }, 'name'],
    [{ name: 'x', scopes: ['a::b'] }, 'scopes[0]'],
    [{ name: 'x', scopes: ['a:b', 'bad scope'] }, 'scopes[1]'],
    [{ name: 'x', scopes: ['a:b'], id: 'has-dash' }, 'id'],
    [{ name: 'x', scopes: ['a:b'], allowedIps: ['10.0.0.0/33'] }, 'allowedIps[0]'],
    [{ name: 'x', scopes: ['a:b'], allowedIps: ['1.2.3.4', 'hello'] }, 'allowedIps[1]'],
    [{ name: 'x', scopes: ['a:b'], expiresAt: 'tomorrow' }, 'expiresAt'],
    [{ name: 'x', scopes: ['a:b'], expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
    [{ name: 'x', scopes: ['a:b'], validFrom: '2027-02-01T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z' }, 'expiresAt'],
    [{ name: 'x', scopes: ['a:b'], metadata: { blob: 'x'.repeat(5000) } }, 'metadata'],
    [{ name: 'x', scopes: ['a:b'], metadata: [1, 2] }, 'metadata'],
    [{ name: 'x', scopes: ['a:b'], colour: 'blue' }, 'colour'],
    [{ name: 'x', scopes: ['a:b'], templates: ['nope'] }, 'templates[0]'],
  ])('refuses a body with a bad field (%#) naming the field, and creates nothing', async (body, field) => {
    const before = await t.store.countTokens((await t.tessera.ctx.store.getDefaultAccount())!.id);
    const res = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body });
    expect(res.status).toBe(400);
    expect(messageId(res)).toBe('BAD_REQUEST');
    expect(res.body.requestError.serviceException.text.startsWith(`${field}:`)).toBe(true);
    expect(await t.store.countTokens((await t.tessera.ctx.store.getDefaultAccount())!.id)).toBe(before);
  });

  it('refuses escalation: a token grants only what it holds', async () => {
    const admin = await t.createToken({ name: 'token admin', scopes: ['tokens:*', 'message:*'], deny: ['message:delete'] });
    const ok = await t.request('POST', '/v1/tokens', { token: admin.secret, body: { name: 'child', scopes: ['message:send'] } });
    expect(ok.status).toBe(201);
    expect(ok.body.token.parentId).toBe(admin.id);
    for (const scopes of [['*'], ['audit:read'], ['message:delete'], ['message:*']]) {
      const res = await t.request('POST', '/v1/tokens', { token: admin.secret, body: { name: 'bigger', scopes } });
      expect(res.status, JSON.stringify(scopes)).toBe(403);
      expect(messageId(res)).toBe('FORBIDDEN');
      expect(res.body.requestError.serviceException.text).toMatch(/^scopes:/);
    }
    const withDeny = await t.request('POST', '/v1/tokens', { token: admin.secret, body: { name: 'ok', scopes: ['message:*'], deny: ['message:delete'] } });
    expect(withDeny.status).toBe(201);
  });

  it('caps expiry by the account maxLifetime, and defaults to it', async () => {
    const policy = await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { maxLifetimeSeconds: 86_400 } });
    expect(policy.status).toBe(200);
    try {
      const tooLong = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'x', scopes: ['a:b'], expiresAt: new Date(t.clock.ms + 2 * 86_400_000).toISOString() } });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.requestError.serviceException.text).toMatch(/^expiresAt: exceeds/);
      const defaulted = await t.createToken({ name: 'x', scopes: ['a:b'] });
      expect(Date.parse(defaulted.token.expiresAt)).toBe(t.clock.ms + 86_400_000);
    } finally {
      await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { maxLifetimeSeconds: null } });
    }
  });

  itRefusesUnauthorised(() => t, { method: 'POST', path: '/v1/tokens', body: { name: 'n', scopes: ['a:b'] }, permission: 'tokens:create' });
});

describe('GET /v1/tokens', () => {
  it('lists active tokens by default, inactive on request, searches by name and paginates', async () => {
    const tag = `page${Date.now()}`;
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await t.createToken({ name: `${tag} item ${i}`, scopes: ['a:b'] }));
    await t.request('POST', `/v1/tokens/${made[0]!.id}/disable`, { token: t.rootSecret });
    await t.request('POST', `/v1/tokens/${made[1]!.id}/revoke`, { token: t.rootSecret });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/tokens?search=${tag.toUpperCase()}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await t.request('GET', query, { token: t.rootSecret });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(made.slice(2).map((m) => m.id).sort());

    const inactive = await t.request('GET', `/v1/tokens?status=inactive&search=${tag}`, { token: t.rootSecret });
    expect(inactive.body.items.map((i: { status: string }) => i.status).sort()).toEqual(['disabled', 'revoked']);
    const all = await t.request('GET', `/v1/tokens?status=all&search=${tag}`, { token: t.rootSecret });
    expect(all.body.items).toHaveLength(5);
  });

  it.each([['status=sleeping', 'status'], ['limit=0', 'limit'], ['limit=201', 'limit'], ['cursor=zzz', 'cursor']])(
    'refuses %s naming %s',
    async (query, field) => {
      const res = await t.request('GET', `/v1/tokens?${query}`, { token: t.rootSecret });
      expect(res.status).toBe(400);
      expect(res.body.requestError.serviceException.text.startsWith(`${field}:`)).toBe(true);
    },
  );

  itRefusesUnauthorised(() => t, { method: 'GET', path: '/v1/tokens', permission: 'tokens:read' });
});

describe('GET /v1/tokens/:id', () => {
  it('answers 404 in the envelope for an unknown id', async () => {
    const res = await t.request('GET', '/v1/tokens/tok_nope', { token: t.rootSecret });
    expect(res.status).toBe(404);
    expect(messageId(res)).toBe('NOT_FOUND');
  });

  it('lets a token read itself without tokens:read', async () => {
    const self = await t.createToken({ name: 'self', scopes: ['x:y'] });
    expect((await t.request('GET', `/v1/tokens/${self.id}`, { token: self.secret })).status).toBe(200);
  });

  itRefusesUnauthorised(() => t, { method: 'GET', path: target, permission: 'tokens:read' });
});

describe('PATCH /v1/tokens/:id', () => {
  it('edits descriptive fields and bumps the version', async () => {
    const made = await t.createToken({ name: 'before', scopes: ['a:b'] });
    const res = await t.request('PATCH', `/v1/tokens/${made.id}`, {
      token: t.rootSecret,
      body: { name: 'after', description: 'd', allowedIps: ['10.0.0.0/8'], metadata: { k: 1 }, expiresAt: '2027-03-01T00:00:00Z' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'after', description: 'd', allowedIps: ['10.0.0.0/8'], metadata: { k: 1 }, version: 2 });
  });

  it('refuses scope edits while permissions are fixed, allows them (without escalation) when editable', async () => {
    const made = await t.createToken({ name: 'perm', scopes: ['a:b'] });
    const fixed = await t.request('PATCH', `/v1/tokens/${made.id}`, { token: t.rootSecret, body: { scopes: ['a:c'] } });
    expect(fixed.status).toBe(403);
    expect(fixed.body.requestError.serviceException.text).toContain('permissions are fixed');
    await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { permissionsEditable: true } });
    try {
      const edited = await t.request('PATCH', `/v1/tokens/${made.id}`, { token: t.rootSecret, body: { scopes: ['a:c'], deny: ['a:c:x'] } });
      expect(edited.status).toBe(200);
      expect(edited.body.scopes).toEqual(['a:c']);
      const editor = await t.createToken({ name: 'editor', scopes: ['tokens:update', 'a:*'] });
      const escalate = await t.request('PATCH', `/v1/tokens/${made.id}`, { token: editor.secret, body: { scopes: ['b:*'] } });
      expect(escalate.status).toBe(403);
    } finally {
      await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { permissionsEditable: false } });
    }
  });

  it('refuses to act on a token holding more than the caller', async () => {
    const editor = await t.createToken({ name: 'editor', scopes: ['tokens:update'] });
    const res = await t.request('PATCH', `/v1/tokens/${t.rootId}`, { token: editor.secret, body: { name: 'pwned' } });
    expect(res.status).toBe(403);
  });

  it('honours If-Match (412 on a stale version)', async () => {
    const made = await t.createToken({ name: 'v', scopes: ['a:b'] });
    const ok = await t.request('PATCH', `/v1/tokens/${made.id}`, { token: t.rootSecret, body: { name: 'v2' }, headers: { 'if-match': '"1"' } });
    expect(ok.status).toBe(200);
    const stale = await t.request('PATCH', `/v1/tokens/${made.id}`, { token: t.rootSecret, body: { name: 'v3' }, headers: { 'if-match': '1' } });
    expect(stale.status).toBe(412);
    expect(messageId(stale)).toBe('PRECONDITION_FAILED');
  });

  it('refuses a malformed body naming the field', async () => {
    const made = await t.createToken({ name: 'v', scopes: ['a:b'] });
    const res = await t.request('PATCH', `/v1/tokens/${made.id}`, { token: t.rootSecret, body: { enabled: 'yes' } });
    expect(res.status).toBe(400);
    expect(res.body.requestError.serviceException.text).toMatch(/^enabled:/);
  });

  itRefusesUnauthorised(() => t, { method: 'PATCH', path: target, body: { name: 'x' }, permission: 'tokens:update' });
});

describe('enable, disable, revoke, rotate, delete', () => {
  const verify = async (secret: string) => (await t.request('POST', '/v1/verify', { body: { token: secret } })).body.code;

  it('disable is reversible; revoke is final, idempotent and cascades to children', async () => {
    const parent = await t.createToken({ name: 'parent', scopes: ['tokens:create', 'a:*'] });
    const child = await t.createToken({ name: 'child', scopes: ['tokens:create', 'a:b'] }, parent.secret);
    const grandchild = await t.createToken({ name: 'grandchild', scopes: ['a:b'] }, child.secret);
    expect((await t.request('POST', `/v1/tokens/${parent.id}/disable`, { token: t.rootSecret })).body.status).toBe('disabled');
    expect(await verify(parent.secret)).toBe('DISABLED');
    expect((await t.request('POST', `/v1/tokens/${parent.id}/enable`, { token: t.rootSecret })).body.status).toBe('active');
    expect(await verify(parent.secret)).toBe('VALID');

    const revoked = await t.request('POST', `/v1/tokens/${parent.id}/revoke`, { token: t.rootSecret });
    expect(revoked.status).toBe(200);
    expect(revoked.body.cascaded.sort()).toEqual([child.id, grandchild.id].sort());
    for (const s of [parent.secret, child.secret, grandchild.secret]) expect(await verify(s)).toBe('REVOKED');
    const again = await t.request('POST', `/v1/tokens/${parent.id}/revoke`, { token: t.rootSecret });
    expect(again.status).toBe(200);
    expect(again.body.cascaded).toEqual([]);
    const reenable = await t.request('POST', `/v1/tokens/${parent.id}/enable`, { token: t.rootSecret });
    expect(reenable.status).toBe(409);
    expect((await t.request('POST', `/v1/tokens/${parent.id}/rotate`, { token: t.rootSecret })).status).toBe(409);
  });

  it('a token may revoke itself without tokens:revoke', async () => {
    const self = await t.createToken({ name: 'self', scopes: ['x:y'] });
    expect((await t.request('POST', `/v1/tokens/${self.id}/revoke`, { token: self.secret })).status).toBe(200);
    expect(await verify(self.secret)).toBe('REVOKED');
  });

  it('rotate keeps id and settings, gives a new secret, and honours the overlap (never past expiry)', async () => {
    const made = await t.createToken({ name: 'rot', scopes: ['a:b'], profileId: 'p1' });
    const rotated = await t.request('POST', `/v1/tokens/${made.id}/rotate`, { token: t.rootSecret, body: { overlapSeconds: 60 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.token).toMatchObject({ id: made.id, profileId: 'p1', scopes: ['a:b'], version: 2 });
    expect(rotated.body.secret).not.toBe(made.secret);
    expect(await verify(rotated.body.secret)).toBe('VALID');
    expect(await verify(made.secret)).toBe('VALID');
    t.clock.advance(61);
    try {
      expect(await verify(made.secret)).toBe('NOT_FOUND');
      expect(await verify(rotated.body.secret)).toBe('VALID');
    } finally {
      t.clock.advance(-61);
    }
    const plain = await t.request('POST', `/v1/tokens/${made.id}/rotate`, { token: t.rootSecret });
    expect(await verify(rotated.body.secret)).toBe('NOT_FOUND');
    expect(await verify(plain.body.secret)).toBe('VALID');

    const short = await t.createToken({ name: 'short', scopes: ['a:b'], expiresAt: new Date(t.clock.ms + 30_000).toISOString() });
    const capped = await t.request('POST', `/v1/tokens/${short.id}/rotate`, { token: t.rootSecret, body: { overlapSeconds: 3600 } });
    expect(capped.body.previousSecretExpiresAt).toBe(short.token.expiresAt);
    const bad = await t.request('POST', `/v1/tokens/${short.id}/rotate`, { token: t.rootSecret, body: { overlapSeconds: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.requestError.serviceException.text).toMatch(/^overlapSeconds:/);
  });

  it('delete removes the record; bulk delete is all or nothing with a report per id', async () => {
    const a = await t.createToken({ name: 'a', scopes: ['a:b'] });
    const b = await t.createToken({ name: 'b', scopes: ['a:b'] });
    const c = await t.createToken({ name: 'c', scopes: ['a:b'] });
    expect((await t.request('DELETE', `/v1/tokens/${a.id}`, { token: t.rootSecret })).status).toBe(204);
    expect((await t.request('GET', `/v1/tokens/${a.id}`, { token: t.rootSecret })).status).toBe(404);
    expect(await verify(a.secret)).toBe('NOT_FOUND');

    const partial = await t.request('POST', '/v1/tokens/bulk-delete', { token: t.rootSecret, body: { ids: [b.id, 'tok_missing', c.id] } });
    expect(partial.status).toBe(404);
    expect(partial.body.requestError.serviceException.details.results).toEqual([
      { id: b.id, outcome: 'ok' }, { id: 'tok_missing', outcome: 'NOT_FOUND' }, { id: c.id, outcome: 'ok' },
    ]);
    expect((await t.request('GET', `/v1/tokens/${b.id}`, { token: t.rootSecret })).status).toBe(200);

    const whole = await t.request('POST', '/v1/tokens/bulk-delete', { token: t.rootSecret, body: { ids: [b.id, c.id] } });
    expect(whole.status).toBe(200);
    expect(whole.body.deleted.sort()).toEqual([b.id, c.id].sort());
    expect((await t.request('GET', `/v1/tokens/${c.id}`, { token: t.rootSecret })).status).toBe(404);
  });

  itRefusesUnauthorised(() => t, { method: 'POST', path: async (app) => `${await target(app)}/disable`, permission: 'tokens:update' });
  itRefusesUnauthorised(() => t, { method: 'POST', path: async (app) => `${await target(app)}/revoke`, permission: 'tokens:revoke' });
  itRefusesUnauthorised(() => t, { method: 'POST', path: async (app) => `${await target(app)}/rotate`, permission: 'tokens:update' });
  itRefusesUnauthorised(() => t, { method: 'DELETE', path: target, permission: 'tokens:delete' });
  itRefusesUnauthorised(() => t, { method: 'POST', path: '/v1/tokens/bulk-delete', body: { ids: ['tok_x'] }, permission: 'tokens:delete' });
});
