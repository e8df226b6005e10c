// Notifications API: `user_id:<id>` scopes say which user, not what may be done: the catalog marks them `standalone: false`.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageId, startTestApp, type TestApp } from '../testing/test-app.js';

const notifications = readFileSync(new URL('../../examples/catalogs/notifications.yaml', import.meta.url), 'utf8');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  const applied = await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: notifications, format: 'yaml' } });
  expect(applied.status).toBe(200);
  await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { permissionsEditable: true } });
});
afterAll(async () => t.close());

const text = (res: { body: { requestError: { serviceException: { text: string } } } }) => res.body.requestError.serviceException.text;
const count = async () => (await t.request('GET', '/v1/tokens?status=all&limit=200', { token: t.rootSecret })).body.items.length as number;

describe('scopes declared standalone: false', () => {
  it.each([[['user_id:pigeon']], [['user_id:pigeon', 'user_id:bluebird']], [['user_id:*']]])('POST /v1/tokens refuses %j alone with 400 naming scopes[0], creating nothing', async (scopes) => {
    const before = await count();
    const res = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'lonely', scopes } });
    expect(res.status).toBe(400);
    expect(messageId(res)).toBe('BAD_REQUEST');
    expect(text(res)).toMatch(/^scopes\[0\]: .*cannot stand alone/);
    expect(await count()).toBe(before);
  });

  it('POST /v1/tokens accepts a user_id combined with what the token may do', async () => {
    const res = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'inbox', scopes: ['user_id:pigeon', 'read:messages'] } });
    expect(res.status).toBe(201);
  });

  it('PATCH refuses to narrow a token down to its user_id alone, changing nothing', async () => {
    const made = await t.createToken({ name: 'inbox 2', scopes: ['user_id:pigeon', 'read:brands'] });
    const res = await t.request('PATCH', `/v1/tokens/${made.id}`, { token: t.rootSecret, body: { scopes: ['user_id:pigeon'] } });
    expect(res.status).toBe(400);
    expect(text(res)).toMatch(/^scopes\[0\]: .*cannot stand alone/);
    const after = await t.request('GET', `/v1/tokens/${made.id}`, { token: t.rootSecret });
    expect(after.body.scopes).toEqual(['user_id:pigeon', 'read:brands']);
  });

  it('POST /v1/auth/issue-token refuses "user_id:pigeon" alone, naming scope, and issues it combined', async () => {
    const issuer = await t.createToken({ name: 'backend', scopes: ['tokens:issue', 'user_id:*', 'read:messages'] });
    const alone = await t.request('POST', '/v1/auth/issue-token', { token: issuer.secret, body: { scope: 'user_id:pigeon' } });
    expect(alone.status).toBe(400);
    expect(text(alone)).toMatch(/^scope: .*cannot stand alone/);
    const combined = await t.request('POST', '/v1/auth/issue-token', { token: issuer.secret, body: { scope: 'user_id:pigeon read:messages' } });
    expect(combined.status).toBe(200);
  });

  it('PUT /v1/catalog refuses a standalone that is not a boolean, naming the path', async () => {
    const bad = notifications.replace('standalone: false', 'standalone: "no"');
    const res = await t.request('POST', '/v1/catalog/validate', { token: t.rootSecret, body: { source: bad, format: 'yaml' } });
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.errors[0].path).toBe('scopes[0].standalone');
  });
});
