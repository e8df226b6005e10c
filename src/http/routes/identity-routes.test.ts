/** /v1/identities and a token's identity: CRUD, audit, and the attacks of a token holder (issue 19). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAccountPolicy, type AccountId } from '../../core/types.js';
import { systemActor } from '../../service/index.js';
import { itRefusesUnauthorised } from '../../testing/security-cases.js';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const create = (body: Record<string, unknown>, token = t.rootSecret) => t.request('POST', '/v1/identities', { token, body });
const verify = (body: Record<string, unknown>) => t.request('POST', '/v1/verify', { body });

describe('/v1/identities', () => {
  it('creates, reads, edits and lists identities with a cursor; each change audited', async () => {
    const made = await create({ externalId: 'customer-1', name: 'Acme Ltd', metadata: { plan: 'pro' }, limits: [{ name: 'per-minute', limit: 100, duration: '1m' }] });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ externalId: 'customer-1', name: 'Acme Ltd', metadata: { plan: 'pro' }, limits: [{ name: 'per-minute', limit: 100, duration: 60 }], version: 1 });
    expect(made.body.id).toMatch(/^idn_/);
    expect((await t.request('GET', `/v1/identities/${made.body.id}`, { token: t.rootSecret })).body).toEqual(made.body);

    const edited = await t.request('PATCH', `/v1/identities/${made.body.id}`, { token: t.rootSecret, headers: { 'if-match': '1' }, body: { name: 'Acme' } });
    expect(edited.body).toMatchObject({ name: 'Acme', version: 2 });
    const stale = await t.request('PATCH', `/v1/identities/${made.body.id}`, { token: t.rootSecret, headers: { 'if-match': '1' }, body: { name: 'x' } });
    expect(stale.status).toBe(412);

    for (const n of [2, 3]) expect((await create({ externalId: `customer-${n}` })).status).toBe(201);
    const first = await t.request('GET', '/v1/identities?limit=2', { token: t.rootSecret });
    expect(first.body.items).toHaveLength(2);
    const second = await t.request('GET', `/v1/identities?limit=2&cursor=${first.body.nextCursor}`, { token: t.rootSecret });
    expect([...first.body.items, ...second.body.items].map((i: { externalId: string }) => i.externalId).sort()).toEqual(['customer-1', 'customer-2', 'customer-3']);
    const byExternal = await t.request('GET', '/v1/identities?externalId=customer-2', { token: t.rootSecret });
    expect(byExternal.body.items.map((i: { externalId: string }) => i.externalId)).toEqual(['customer-2']);

    const audit = await t.tessera.listAudit(systemActor(await accountId()), {});
    expect(audit.items.filter((e) => e.targetId === made.body.id).map((e) => e.action)).toEqual(['identity.update', 'identity.create']);
  });

  it('refuses a taken external id (409), bad fields naming them (400), an unknown id (404)', async () => {
    expect((await create({ externalId: 'dup' })).status).toBe(201);
    const dup = await create({ externalId: 'dup' });
    expect([dup.status, messageId(dup), dup.body.requestError.serviceException.text]).toEqual([409, 'CONFLICT', expect.stringContaining('externalId')]);
    for (const [body, field] of [
      [{ externalId: ' padded ' }, 'externalId'],
      [{ externalId: 'm', metadata: { big: 'x'.repeat(5000) } }, 'metadata'],
      [{ externalId: 'l', limits: [{ name: 'bad name!', limit: 1, duration: 60 }] }, 'limits[0].name'],
      [{ externalId: 'l', limits: [{ name: 'a', limit: 1, duration: 'forever' }] }, 'limits[0].duration'],
      [{ externalId: 'l', limits: [{ name: 'a', limit: 1, duration: 60 }, { name: 'a', limit: 2, duration: 60 }] }, 'limits[1].name'],
    ] as const) {
      const res = await create(body);
      expect([res.status, res.body.requestError.serviceException.text]).toEqual([400, expect.stringContaining(field)]);
    }
    expect((await t.request('GET', '/v1/identities/idn_nothing', { token: t.rootSecret })).status).toBe(404);
  });

  it('deleting an identity keeps its tokens working, without it (and says which)', async () => {
    const identity = (await create({ externalId: 'leaving' })).body;
    const token = await t.createToken({ name: 'of-leaving', scopes: ['a:b'], identityId: identity.id });
    expect((await verify({ token: token.secret })).body.identity).toEqual({ id: identity.id, externalId: 'leaving' });
    await t.createToken({ name: 'of-no-one', scopes: ['a:b'] });
    const listed = await t.request('GET', `/v1/tokens?identityId=${identity.id}`, { token: t.rootSecret });
    expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([token.id]);
    const gone = await t.request('DELETE', `/v1/identities/${identity.id}`, { token: t.rootSecret });
    expect(gone.body).toEqual({ id: identity.id, detachedTokens: [token.id] });
    const after = await verify({ token: token.secret });
    expect(after.body).toMatchObject({ valid: true, code: 'VALID' });
    expect(after.body.identity ?? null).toBeNull();
    expect((await t.request('GET', `/v1/tokens/${token.id}`, { token: t.rootSecret })).body.identityId).toBeNull();
    expect((await t.request('GET', `/v1/tokens?identityId=${identity.id}`, { token: t.rootSecret })).body.items).toEqual([]);
  });

  itRefusesUnauthorised(() => t, { method: 'POST', path: '/v1/identities', body: { externalId: 'x' }, permission: 'identities:write' });
  itRefusesUnauthorised(() => t, { method: 'GET', path: '/v1/identities', permission: 'identities:read' });
});

describe('a token’s identity', () => {
  it('comes back from verify and from introspection (forward auth’s headers: verify-route.limits.test.ts)', async () => {
    const identity = (await create({ externalId: 'user-é 1' })).body;
    const token = await t.createToken({ name: 'u', scopes: ['a:b'], identityId: identity.id });
    expect(token.token.identityId).toBe(identity.id);
    expect((await verify({ token: token.secret })).body.identity).toEqual({ id: identity.id, externalId: 'user-é 1' });
    const introspected = await t.request('POST', '/oauth2/introspect', {
      body: `token=${encodeURIComponent(token.secret)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Bearer ${t.rootSecret}` },
    });
    expect(introspected.body).toMatchObject({ active: true, tessera_identity_id: identity.id, tessera_external_id: 'user-é 1' });
  });

  it('cannot be another account’s identity, and the answer does not tell that it exists', async () => {
    const other = 'acc_identity_other' as AccountId;
    await t.store.insertAccount({ id: other, name: 'other', tokenPrefix: 'oth', policy: defaultAccountPolicy, createdAt: new Date(t.clock.ms).toISOString() });
    const foreign = await t.tessera.createIdentity(systemActor(other), { externalId: 'theirs' });
    const attach = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'thief', scopes: ['a:b'], identityId: foreign.id } });
    const missing = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'thief', scopes: ['a:b'], identityId: 'idn_doesnotexist' } });
    expect([attach.status, messageId(attach)]).toEqual([404, 'NOT_FOUND']);
    expect(attach.body.requestError.serviceException.text.replace(foreign.id, 'ID')).toBe(missing.body.requestError.serviceException.text.replace('idn_doesnotexist', 'ID'));
    const mine = await t.createToken({ name: 'mine', scopes: ['a:b'] });
    const edit = await t.request('PATCH', `/v1/tokens/${mine.id}`, { token: t.rootSecret, body: { identityId: foreign.id } });
    expect([edit.status, messageId(edit)]).toEqual([404, 'NOT_FOUND']);
    expect((await t.request('GET', `/v1/identities/${foreign.id}`, { token: t.rootSecret })).status).toBe(404);
  });

  it('needs identities:write to attach a token to one (its shared budget is spent by the token)', async () => {
    const identity = (await create({ externalId: 'budget' })).body;
    const maker = await t.createToken({ name: 'maker', scopes: ['tokens:create', 'tokens:update', 'a:*'] });
    const res = await t.request('POST', '/v1/tokens', { token: maker.secret, body: { name: 'x', scopes: ['a:b'], identityId: identity.id } });
    expect([res.status, messageId(res)]).toEqual([403, 'FORBIDDEN']);
  });
});

async function accountId(): Promise<AccountId> {
  const res = await t.request('GET', '/v1/account', { token: t.rootSecret });
  return res.body.id as AccountId;
}
