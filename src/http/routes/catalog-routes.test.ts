import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itRefusesUnauthorised } from '../../testing/security-cases.js';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

const example = (name: string) => readFileSync(new URL(`../../../examples/catalogs/${name}.yaml`, import.meta.url), 'utf8');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const apply = (source: string, extra: Record<string, unknown> = {}) =>
  t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source, format: 'yaml', ...extra } });
const verify = (body: Record<string, unknown>) => t.request('POST', '/v1/verify', { body });

describe('catalog versions', () => {
  it('starts with none, applies versions, keeps them all, and audits each apply', async () => {
    expect((await t.request('GET', '/v1/catalog', { token: t.rootSecret })).status).toBe(404);
    const first = await apply(example('messaging'));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ version: 1, name: 'messaging', format: 'yaml' });
    const second = await apply(example('messaging'));
    expect(second.body.version).toBe(2);
    const versions = await t.request('GET', '/v1/catalog/versions', { token: t.rootSecret });
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await t.request('GET', '/v1/catalog?version=1', { token: t.rootSecret })).body.source).toBe(example('messaging'));
    const audit = await t.request('GET', '/v1/audit?action=catalog.apply', { token: t.rootSecret });
    expect(audit.body.items).toHaveLength(2);
    expect(audit.body.items[0].after).toMatchObject({ version: 2, name: 'messaging' });
  });

  it('applies at the same moment either succeed or answer 409, never 500, and versions stay a gapless sequence', async () => {
    const before = (await t.request('GET', '/v1/catalog/versions', { token: t.rootSecret })).body.items.length as number;
    const answers = await Promise.all([1, 2, 3, 4].map(() => apply(example('messaging'))));
    for (const answer of answers) {
      expect([200, 409], answer.text).toContain(answer.status);
      if (answer.status === 409) expect(messageId(answer)).toBe('CONFLICT');
    }
    const applied = answers.filter((a) => a.status === 200).length;
    expect(applied).toBeGreaterThan(0);
    const versions = (await t.request('GET', '/v1/catalog/versions?limit=200', { token: t.rootSecret })).body.items.map((v: { version: number }) => v.version);
    expect(versions.length).toBe(before + applied);
    expect(versions).toEqual([...versions].sort((a: number, b: number) => b - a));
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('refuses an invalid catalog, pointing at the entry and line, and changes nothing', async () => {
    const before = (await t.request('GET', '/v1/catalog', { token: t.rootSecret })).body.version;
    const bad = 'version: 1\nname: broken\nscopes:\n  - scope: a:b\n    includes: [nope:nothing]\n';
    const res = await apply(bad);
    expect(res.status).toBe(400);
    expect(messageId(res)).toBe('BAD_REQUEST');
    expect(res.body.requestError.serviceException.text).toMatch(/^source: line 5, scopes\[0\]\.includes\[0\]/);
    expect(res.body.requestError.serviceException.details.errors[0]).toMatchObject({ path: 'scopes[0].includes[0]', line: 5 });
    expect((await t.request('GET', '/v1/catalog', { token: t.rootSecret })).body.version).toBe(before);
    const validation = await t.request('POST', '/v1/catalog/validate', { token: t.rootSecret, body: { source: bad } });
    expect(validation.status).toBe(200);
    expect(validation.body.valid).toBe(false);
    expect(validation.body.errors[0].path).toBe('scopes[0].includes[0]');
  });

  it('refuses to redefine Tessera’s own permissions', async () => {
    const res = await apply('version: 1\nname: sneaky\nscopes:\n  - scope: tokens:create\n    includes: ["*"]\n');
    expect(res.status).toBe(400);
    expect(res.body.requestError.serviceException.text).toContain('reserved');
  });

  it('refuses (409) a catalog that would leave live tokens with unknown permissions, unless forced', async () => {
    const holder = await t.createToken({ name: 'sms sender', scopes: ['sms:message:send'] });
    const res = await apply(example('iot'));
    expect(res.status).toBe(409);
    expect(res.body.requestError.serviceException.details.tokens.map((c: { tokenId: string }) => c.tokenId)).toContain(holder.id);
    const forced = await apply(example('iot'), { force: true });
    expect(forced.status).toBe(200);
    await apply(example('messaging'), { force: true });
  });

  itRefusesUnauthorised(() => t, { method: 'PUT', path: '/v1/catalog', body: { source: 'version: 1\nname: x\n' }, permission: 'catalog:write' });
  itRefusesUnauthorised(() => t, { method: 'GET', path: '/v1/catalog/versions', permission: 'catalog:read' });
});

describe('messaging API catalog: hierarchical scopes, endpoints with alternatives, queries', () => {
  beforeAll(async () => {
    expect((await apply(example('messaging'), { force: true })).status).toBe(200);
  });

  it('message:send covers every channel’s send, and any one endpoint scope suffices', async () => {
    const sender = await t.createToken({ name: 'sender', scopes: ['message:send'] });
    expect((await verify({ token: sender.secret, scopes: ['sms:message:send', 'whatsapp:message:send'] })).body.code).toBe('VALID');
    expect((await verify({ token: sender.secret, endpoint: { method: 'POST', path: '/sms/2/text/advanced' } })).body.code).toBe('VALID');
    const logs = await verify({ token: sender.secret, endpoint: { method: 'GET', path: '/sms/1/logs' } });
    expect(logs.body).toMatchObject({ code: 'INSUFFICIENT_SCOPE', denied: 'endpoint', missingScopes: ['sms:logs:read', 'sms:manage'] });
    const unknown = await verify({ token: sender.secret, endpoint: { method: 'GET', path: '/nowhere' } });
    expect(unknown.body).toMatchObject({ code: 'INSUFFICIENT_SCOPE', denied: 'endpoint' });
  });

  it('answers permission queries with AND, OR and parentheses, and names a malformed one', async () => {
    const t1 = await t.createToken({ name: 'q', scopes: ['sms:message:send', 'sms:logs:read'] });
    const query = 'whatsapp:message:send OR (sms:message:send AND sms:logs:read)';
    expect((await verify({ token: t1.secret, query })).body.code).toBe('VALID');
    expect((await verify({ token: t1.secret, query: 'whatsapp:message:send AND sms:logs:read' })).body).toMatchObject({ code: 'INSUFFICIENT_SCOPE', denied: 'query' });
    const bad = await verify({ token: t1.secret, query: 'a AND (b' });
    expect(bad.status).toBe(400);
    expect(bad.body.requestError.serviceException.text).toMatch(/^query:/);
  });

  it('checks creation against the catalog: unknown scopes are refused, escalation through includes too', async () => {
    const unknown = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'x', scopes: ['sms:message:snd'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.requestError.serviceException.text).toMatch(/^scopes\[0\]:/);
    const creator = await t.createToken({ name: 'creator', scopes: ['tokens:create', 'sms:manage'] });
    expect((await t.request('POST', '/v1/tokens', { token: creator.secret, body: { name: 'ok', scopes: ['sms:message:send'] } })).status).toBe(201);
    const escalate = await t.request('POST', '/v1/tokens', { token: creator.secret, body: { name: 'no', scopes: ['message:send'] } });
    expect(escalate.status).toBe(403);
  });

  it('explains a decision with the grant that matched, and lists capabilities', async () => {
    const sender = await t.createToken({ name: 'explained', scopes: ['message:send'] });
    const why = await t.request('POST', '/v1/explain', { token: t.rootSecret, body: { tokenId: sender.id, scope: 'sms:message:send' } });
    expect(why.status).toBe(200);
    expect(why.body).toMatchObject({ allowed: true, matchedGrant: { required: 'sms:message:send', scope: 'message:send' } });
    const whyNot = await t.request('POST', '/v1/explain', { token: t.rootSecret, body: { token: sender.secret, endpoint: { method: 'GET', path: '/sms/1/logs' } } });
    expect(whyNot.body.allowed).toBe(false);
    expect(whyNot.body.reason.length).toBeGreaterThan(5);
    const caps = await t.request('GET', `/v1/tokens/${sender.id}/capabilities`, { token: t.rootSecret });
    expect(caps.body.endpoints).toContainEqual({ method: 'POST', path: '/sms/2/text/advanced', access: 'full' });
    expect(caps.body.endpoints.some((e: { path: string }) => e.path === '/sms/1/logs')).toBe(false);
    const twoChecks = await t.request('POST', '/v1/explain', { token: t.rootSecret, body: { tokenId: sender.id, scope: 'a', query: 'b' } });
    expect(twoChecks.status).toBe(400);
  });

  it('serves the services tree with a token’s permissions marked', async () => {
    const sender = await t.createToken({ name: 'tree', scopes: ['message:send'] });
    const tree = await t.request('GET', `/v1/catalog/tree?tokenId=${sender.id}`, { token: t.rootSecret });
    expect(tree.status).toBe(200);
    const leaves = tree.body.services.flatMap((s: any) => s.groups.flatMap((g: any) => g.permissions));
    expect(leaves.find((p: any) => p.scope === 'message:send')).toMatchObject({ selected: true, granted: true });
    expect(leaves.find((p: any) => p.scope === 'sms:message:send')).toMatchObject({ selected: false, granted: true });
    expect(tree.body.services.map((s: any) => s.name)).toEqual(expect.arrayContaining(['General', 'Channels', 'Tessera']));
  });
});

describe('the other platforms through the API', () => {
  it('communications platform: a token from two permission sets plus one advanced permission records its templates', async () => {
    expect((await apply(example('communications'), { force: true })).status).toBe(200);
    const res = await t.request('POST', '/v1/tokens', {
      token: t.rootSecret,
      body: { name: 'sender', profileId: 'virtual-user', templates: ['ecapi-all-channels-branch', 'profiles-data'], scopes: ['config:read'] },
    });
    expect(res.status).toBe(201);
    expect(res.body.token.templates).toEqual(['ecapi-all-channels-branch', 'profiles-data']);
    expect(res.body.token.scopes).toEqual(expect.arrayContaining(['ecapi:send', 'branch:links:create', 'profiles:manage', 'config:read']));
    const unknown = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'x', templates: ['nope'], scopes: [] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.requestError.serviceException.text).toMatch(/^templates\[0\]:/);
    const tree = await t.request('GET', '/v1/catalog/tree?templates=profiles-data', { token: t.rootSecret });
    expect(tree.body.templates.map((x: { id: string }) => x.id)).toContain('ecapi-all-channels');
  });

  it('notifications API: read:messages requires a user_id scope, and a user-bound call needs that user', async () => {
    expect((await apply(example('notifications'), { force: true })).status).toBe(200);
    const lonely = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'x', scopes: ['read:messages'] } });
    expect(lonely.status).toBe(400);
    expect(lonely.body.requestError.serviceException.text).toMatch(/read:messages requires user_id/);
    const inbox = await t.createToken({ name: 'inbox', scopes: ['user_id:pigeon', 'read:messages', 'read:brands'] });
    expect((await verify({ token: inbox.secret, endpoint: { method: 'GET', path: '/users/pigeon/messages' } })).body.code).toBe('VALID');
    expect((await verify({ token: inbox.secret, endpoint: { method: 'GET', path: '/users/bluebird/messages' } })).body.code).toBe('INSUFFICIENT_SCOPE');
    expect((await verify({ token: inbox.secret, scopes: ['read:brands:my_brand'] })).body.code).toBe('VALID');
  });

  it('IoT platform: resource + action grants with one resource or all', async () => {
    expect((await apply(example('iot'), { force: true })).status).toBe(200);
    const device = await t.createToken({ name: 'sigfox', scopes: ['device:thermo-1:*', 'bucket:*:ReadBucket'] });
    const check = (type: string, id: string, action: string) => verify({ token: device.secret, resource: { type, id, action } });
    expect((await check('device', 'thermo-1', 'AccessDeviceResources')).body.code).toBe('VALID');
    expect((await check('device', 'thermo-2', 'AccessDeviceResources')).body.code).toBe('INSUFFICIENT_SCOPE');
    expect((await check('bucket', 'any', 'ReadBucket')).body.code).toBe('VALID');
    expect((await check('bucket', 'any', 'WriteBucket')).body).toMatchObject({ code: 'INSUFFICIENT_SCOPE', denied: 'resource', missingScopes: ['bucket:any:WriteBucket'] });
    expect((await check('bucket', 'any', 'Fly')).body.code).toBe('INSUFFICIENT_SCOPE');
    // The tree names the grants its leaves spell, so a console reads no pattern itself.
    const tree = await t.request('GET', '/v1/catalog/tree', { token: t.rootSecret });
    const leaves = tree.body.services.flatMap((s: any) => s.groups.flatMap((g: any) => g.permissions));
    expect(leaves.find((p: any) => p.scope === 'device:*:ListDevices').grant).toEqual({ type: 'device', id: '*', action: 'ListDevices' });
    expect(leaves.find((p: any) => p.scope === 'bucket:*:*').grant).toEqual({ type: 'bucket', id: '*', action: '*' });
    expect(leaves.find((p: any) => p.scope === 'admin').grant).toBeUndefined();
  });
});
