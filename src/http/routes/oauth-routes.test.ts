import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

let t: TestApp;
let client: { secret: string; id: string };
beforeAll(async () => {
  t = await startTestApp();
  client = await t.createToken({ name: 'resource server', scopes: ['tokens:introspect', 'tokens:revoke', 'tokens:issue', 'a:*'] });
});
afterAll(async () => t.close());

const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const post = (path: string, form: string, authorization = `Bearer ${client.secret}`) =>
  t.request('POST', path, { body: form, headers: { ...FORM, authorization } });

describe('POST /oauth2/introspect (RFC 7662)', () => {
  it('answers the RFC §2.2 fields for an active token (the §2.1 request, with Basic client authentication)', async () => {
    const target = await t.createToken({ name: 'z', profileId: 'jdoe', scopes: ['a:read', 'a:write'], expiresAt: new Date(t.clock.ms + 3_600_000).toISOString() });
    // RFC 7662 §2.1: token=…&token_type_hint=access_token, client authenticated with HTTP Basic.
    const res = await post('/oauth2/introspect', `token=${encodeURIComponent(target.secret)}&token_type_hint=access_token`, basic(client.id, client.secret));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.tessera_account_id).toMatch(/^acc_/);
    expect(res.body).toEqual({
      active: true,
      scope: 'a:read a:write',
      client_id: target.id,
      sub: 'jdoe',
      token_type: 'Bearer',
      exp: Math.floor(t.clock.ms / 1000) + 3600,
      iat: Math.floor(t.clock.ms / 1000),
      iss: 'tessera',
      aud: res.body.tessera_account_id,
      tessera_token_id: target.id,
      tessera_account_id: res.body.tessera_account_id,
    });
  });

  it.each([
    ['unknown', async () => `tsr_${'a'.repeat(64)}`],
    ['garbage, as in the RFC example', async () => '2YotnFZFEjr1zCsicMWpAA'],
    ['revoked', async () => {
      const m = await t.createToken({ name: 'r', scopes: ['a:b'] });
      await t.request('POST', `/v1/tokens/${m.id}/revoke`, { token: t.rootSecret });
      return m.secret;
    }],
    ['disabled', async () => (await t.createToken({ name: 'd', scopes: ['a:b'], enabled: false })).secret],
  ])('answers only {"active":false} for a %s token (§2.2)', async (_name, make) => {
    const res = await post('/oauth2/introspect', `token=${encodeURIComponent(await make())}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"active":false}');
  });

  it('introspects issued JWTs, with their jti and issuing token', async () => {
    const issued = await t.request('POST', '/v1/auth/issue-token', { token: client.secret, body: { scope: 'a:read', expires_in: 60 } });
    const res = await post('/oauth2/introspect', `token=${issued.body.token}`);
    expect(res.body).toMatchObject({ active: true, scope: 'a:read', client_id: client.id, token_type: 'Bearer' });
    expect(res.body.jti).toMatch(/^jti_/);
    expect(res.body.exp - res.body.iat).toBe(60);
  });

  it('authenticates the client by Bearer, X-API-Key, or Basic with the secret alone; refuses others with 401', async () => {
    const target = await t.createToken({ name: 'x', scopes: ['a:b'] });
    const form = `token=${target.secret}`;
    expect((await post('/oauth2/introspect', form)).body.active).toBe(true);
    expect((await post('/oauth2/introspect', form, basic('', client.secret))).body.active).toBe(true);
    expect((await t.request('POST', '/oauth2/introspect', { body: form, headers: { ...FORM, 'x-api-key': client.secret } })).body.active).toBe(true);
    // The RFC's example client credentials mean nothing here.
    const rfcClient = await post('/oauth2/introspect', form, 'Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW');
    expect(rfcClient.status).toBe(401);
    expect(messageId(rfcClient)).toBe('UNAUTHORIZED');
    expect((await post('/oauth2/introspect', form, basic(target.id, client.secret))).status).toBe(401);
    const none = await t.request('POST', '/oauth2/introspect', { body: form, headers: FORM });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="tessera"');
  });

  it('needs tokens:introspect (403), and tells a client nothing about another account’s tokens', async () => {
    const plain = await t.createToken({ name: 'plain', scopes: ['a:b'] });
    const res = await post('/oauth2/introspect', `token=${plain.secret}`, `Bearer ${plain.secret}`);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('scope="tokens:introspect"');
  });

  it('takes form bodies only, each parameter once', async () => {
    const json = await t.request('POST', '/oauth2/introspect', { token: client.secret, body: { token: client.secret } });
    expect(json.status).toBe(415);
    expect(messageId(json)).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await post('/oauth2/introspect', 'token=a&token=b')).status).toBe(400);
    const missing = await post('/oauth2/introspect', 'token_type_hint=access_token');
    expect(missing.status).toBe(400);
    expect(missing.body.requestError.serviceException.text).toMatch(/^token:/);
  });
});

describe('POST /oauth2/revoke (RFC 7009)', () => {
  it('revokes a token (the §2.1 request), finally and with cascade', async () => {
    const target = await t.createToken({ name: 'to revoke', scopes: ['tokens:create', 'a:b'] });
    const child = await t.createToken({ name: 'child', scopes: ['a:b'] }, target.secret);
    const res = await post('/oauth2/revoke', `token=${encodeURIComponent(target.secret)}&token_type_hint=refresh_token`, basic(client.id, client.secret));
    // The client lacks tokens:create, which the target holds: no escalation.
    expect(res.status).toBe(403);
    const admin = await t.createToken({ name: 'admin client', scopes: ['*'] });
    const ok = await post('/oauth2/revoke', `token=${encodeURIComponent(target.secret)}&token_type_hint=refresh_token`, `Bearer ${admin.secret}`);
    expect(ok.status).toBe(200);
    expect((await t.request('POST', '/v1/verify', { body: { token: target.secret } })).body.code).toBe('REVOKED');
    expect((await t.request('POST', '/v1/verify', { body: { token: child.secret } })).body.code).toBe('REVOKED');
    // Again: still 200.
    expect((await post('/oauth2/revoke', `token=${encodeURIComponent(target.secret)}`, `Bearer ${admin.secret}`)).status).toBe(200);
  });

  it('answers 200 for an unknown token, as in the RFC example (§2.2)', async () => {
    const res = await post('/oauth2/revoke', 'token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token');
    expect(res.status).toBe(200);
  });

  it('refuses issued JWTs with unsupported_token_type; revoking the issuer cuts them', async () => {
    const issued = (await t.request('POST', '/v1/auth/issue-token', { token: client.secret, body: { scope: 'a:read' } })).body.token;
    const res = await post('/oauth2/revoke', `token=${issued}`);
    expect(res.status).toBe(400);
    expect(res.body.requestError.serviceException.details).toEqual({ error: 'unsupported_token_type' });
  });

  it('needs tokens:revoke and a client token', async () => {
    const plain = await t.createToken({ name: 'plain', scopes: ['a:b'] });
    const victim = await t.createToken({ name: 'victim', scopes: ['a:b'] });
    expect((await post('/oauth2/revoke', `token=${victim.secret}`, `Bearer ${plain.secret}`)).status).toBe(403);
    expect((await t.request('POST', '/oauth2/revoke', { body: `token=${victim.secret}`, headers: FORM })).status).toBe(401);
    expect((await t.request('POST', '/v1/verify', { body: { token: victim.secret } })).body.code).toBe('VALID');
  });
});
