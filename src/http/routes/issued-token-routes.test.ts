import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itRefusesUnauthorised } from '../../testing/security-cases.js';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

const notifications = readFileSync(new URL('../../../examples/catalogs/notifications.yaml', import.meta.url), 'utf8');

let t: TestApp;
let issuer: { secret: string; id: string };
beforeAll(async () => {
  t = await startTestApp({ tessera: { issuer: 'https://tessera.test' } });
  // Offline verification below (jose) reads the system time: the test clock starts from it.
  t.clock.ms = Date.now();
  const applied = await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: notifications, format: 'yaml' } });
  expect(applied.status).toBe(200);
  issuer = await t.createToken({ name: 'backend', profileId: 'svc-backend', scopes: ['tokens:issue', 'user_id:*', 'read:messages', 'read:brands'] });
});
afterAll(async () => t.close());

const issue = (body: Record<string, unknown>, as = issuer.secret) => t.request('POST', '/v1/auth/issue-token', { token: as, body });
const verify = (body: Record<string, unknown>) => t.request('POST', '/v1/verify', { body });
const authorize = (token: string, method: string, uri: string) =>
  t.request('GET', '/v1/authorize', { headers: { authorization: `Bearer ${token}`, 'x-original-method': method, 'x-original-uri': uri } });

describe('POST /v1/auth/issue-token', () => {
  it('issues an RFC 9068 JWT: at+jwt, EdDSA with a kid, and the claims', async () => {
    const res = await issue({ scope: 'user_id:pigeon read:messages', expires_in: '2 days' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 172_800, scope: 'user_id:pigeon read:messages' });
    const header = decodeProtectedHeader(res.body.token);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'EdDSA' });
    expect(header.kid).toMatch(/^key_/);
    const claims = decodeJwt(res.body.token);
    expect(claims).toMatchObject({ iss: 'https://tessera.test', sub: 'svc-backend', client_id: issuer.id, scope: 'user_id:pigeon read:messages' });
    expect(claims.aud).toMatch(/^acc_/);
    expect(claims.jti).toMatch(/^jti_/);
    expect(claims.exp! - claims.iat!).toBe(172_800);
  });

  it.each([
    ['10h', 36_000],
    ['1y', 31_557_600],
    [600, 600],
    ['90', 90],
  ])('reads expires_in %j as %d seconds', async (expires_in, seconds) => {
    const res = await issue({ scope: 'read:brands', expires_in });
    expect(res.status).toBe(200);
    expect(res.body.expires_in).toBe(seconds);
  });

  it('defaults to one hour', async () => {
    expect((await issue({ scope: 'read:brands' })).body.expires_in).toBe(3600);
  });

  it.each([
    [{ scope: 'read:brands', expires_in: 'soon' }, 'expires_in'],
    [{ scope: 'read:brands', expires_in: '2y' }, 'expires_in'],
    [{ scope: '   ' }, 'scope'],
    [{ scope: 'bad scope!' }, 'scope[1]'],
    [{ scope: 'no:such:scope' }, 'scope[0]'],
  ])('refuses bad input %j, naming the field', async (body, field) => {
    const res = await issue(body);
    expect(res.status).toBe(400);
    expect(res.body.requestError.serviceException.text.startsWith(`${field}:`)).toBe(true);
  });

  it('refuses a scope string breaking a catalog requires rule (read:messages needs a user_id)', async () => {
    const res = await issue({ scope: 'read:messages' });
    expect(res.status).toBe(400);
    expect(res.body.requestError.serviceException.text).toContain('requires');
  });

  it('refuses scopes the caller does not hold (no escalation)', async () => {
    const res = await issue({ scope: 'write:brands' });
    expect(res.status).toBe(403);
    expect(messageId(res)).toBe('FORBIDDEN');
  });

  it('caps the lifetime at the account’s maxLifetime', async () => {
    const set = (maxLifetimeSeconds: number | null) =>
      t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { maxLifetimeSeconds } });
    expect((await set(600)).status).toBe(200);
    try {
      const res = await issue({ scope: 'read:brands', expires_in: '2 days' });
      expect(res.status).toBe(200);
      expect(res.body.expires_in).toBe(600);
      const claims = decodeJwt(res.body.token);
      expect(claims.exp! - claims.iat!).toBe(600);
    } finally {
      await set(null);
    }
  });

  itRefusesUnauthorised(() => t, { method: 'POST', path: '/v1/auth/issue-token', body: { scope: 'tokens:read' }, permission: 'tokens:issue' });
});

describe('issued tokens at verify, authorize and introspect', () => {
  it('are accepted with their own scope, within the catalog (notifications API: user_id binds read:messages)', async () => {
    const { token } = (await issue({ scope: 'user_id:pigeon read:messages' })).body;
    const valid = await verify({ token, endpoint: { method: 'GET', path: '/users/pigeon/messages' } });
    expect(valid.body).toMatchObject({ valid: true, code: 'VALID', tokenId: issuer.id, profileId: 'svc-backend', scopes: ['user_id:pigeon', 'read:messages'] });
    expect((await verify({ token, endpoint: { method: 'GET', path: '/users/hawk/messages' } })).body.code).toBe('INSUFFICIENT_SCOPE');
    // The issuer holds read:brands; the issued token does not.
    expect((await verify({ token, scopes: ['read:brands'] })).body.code).toBe('INSUFFICIENT_SCOPE');
    const allowed = await authorize(token, 'GET', '/users/pigeon/messages');
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('x-tessera-token-id')).toBe(issuer.id);
    expect(allowed.headers.get('x-tessera-profile-id')).toBe('svc-backend');
    expect((await authorize(token, 'GET', '/users/hawk/messages')).status).toBe(403);
  });

  it('stop working at once when the issuing token is revoked or disabled, and are EXPIRED after exp', async () => {
    const parent = await t.createToken({ name: 'short-lived issuer', scopes: ['tokens:issue', 'read:brands'] });
    const { token } = (await issue({ scope: 'read:brands' }, parent.secret)).body;
    expect((await verify({ token })).body.code).toBe('VALID');
    expect((await t.request('POST', `/v1/tokens/${parent.id}/disable`, { token: t.rootSecret })).status).toBe(200);
    expect((await verify({ token })).body.code).toBe('DISABLED');
    expect((await authorize(token, 'GET', '/brands')).status).toBe(401);
    await t.request('POST', `/v1/tokens/${parent.id}/enable`, { token: t.rootSecret });
    expect((await authorize(token, 'GET', '/brands')).status).toBe(200);
    await t.request('POST', `/v1/tokens/${parent.id}/revoke`, { token: t.rootSecret });
    expect((await verify({ token })).body.code).toBe('REVOKED');
    expect((await authorize(token, 'GET', '/brands')).status).toBe(401);
  });

  it('answer NOT_FOUND when tampered with, signed by an unknown key, or not at+jwt', async () => {
    const { token } = (await issue({ scope: 'read:brands' })).body;
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'read:brands write:brands' })).toString('base64url')}.${s}`;
    expect((await verify({ token: forged })).body.code).toBe('NOT_FOUND');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const otherKid = `${Buffer.from(JSON.stringify({ ...header, kid: 'key_unknown' })).toString('base64url')}.${p}.${s}`;
    expect((await verify({ token: otherKid })).body.code).toBe('NOT_FOUND');
    const plainJwt = `${Buffer.from(JSON.stringify({ ...header, typ: 'JWT' })).toString('base64url')}.${p}.${s}`;
    expect((await verify({ token: plainJwt })).body.code).toBe('NOT_FOUND');
    expect((await authorize(forged, 'GET', '/brands')).status).toBe(401);
  });

  it('inherit the issuing token’s allowed IPs', async () => {
    // The issuing call itself comes from 127.0.0.1, so the fence includes it.
    const fenced = await t.createToken({ name: 'fenced issuer', scopes: ['tokens:issue', 'read:brands'], allowedIps: ['10.0.0.0/8', '127.0.0.0/8', '::1/128'] });
    const { token } = (await issue({ scope: 'read:brands' }, fenced.secret)).body;
    expect((await verify({ token, ip: '10.1.2.3' })).body.code).toBe('VALID');
    expect((await verify({ token, ip: '192.0.2.1' })).body.code).toBe('IP_NOT_ALLOWED');
  });
});

describe('JWKS and signing keys', () => {
  it('serves the public keys with cache headers, never a private part', async () => {
    await issue({ scope: 'read:brands' });
    const res = await t.request('GET', '/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.body.keys.length).toBeGreaterThan(0);
    for (const key of res.body.keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('lets a resource server verify an issued token offline with createRemoteJWKSet', async () => {
    const { token } = (await issue({ scope: 'user_id:pigeon read:messages', expires_in: '10m' })).body;
    const jwks = createRemoteJWKSet(new URL(`${t.baseUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: 'https://tessera.test', typ: 'at+jwt', algorithms: ['EdDSA'] });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ sub: 'svc-backend', client_id: issuer.id, scope: 'user_id:pigeon read:messages' });
  });

  it('rotates: new tokens get the new kid, old ones keep verifying (online and offline), audited as key.rotate', async () => {
    const before = (await issue({ scope: 'read:brands' })).body.token;
    const oldKid = decodeProtectedHeader(before).kid;
    const rotated = await t.request('POST', '/v1/keys/rotate', { token: t.rootSecret });
    expect(rotated.status).toBe(200);
    expect(rotated.body.key.kid).not.toBe(oldKid);
    expect(rotated.body.retired.map((r: { kid: string }) => r.kid)).toContain(oldKid);
    const after = (await issue({ scope: 'read:brands' })).body.token;
    expect(decodeProtectedHeader(after).kid).toBe(rotated.body.key.kid);
    for (const token of [before, after]) expect((await verify({ token })).body.code).toBe('VALID');
    const kids = (await t.request('GET', '/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([oldKid, rotated.body.key.kid]));
    const jwks = createRemoteJWKSet(new URL(`${t.baseUrl}/.well-known/jwks.json`));
    for (const token of [before, after]) await expect(jwtVerify(token, jwks, { issuer: 'https://tessera.test' })).resolves.toBeDefined();
    const audit = await t.request('GET', '/v1/audit?action=key.rotate', { token: t.rootSecret });
    expect(audit.body.items[0]).toMatchObject({ action: 'key.rotate', targetType: 'key', targetId: rotated.body.key.kid });
    expect(JSON.stringify(audit.body.items[0])).not.toMatch(/"d":/);
  });

  it('rotates to ES256 when asked', async () => {
    const rotated = await t.request('POST', '/v1/keys/rotate', { token: t.rootSecret, body: { alg: 'ES256' } });
    expect(rotated.body.key.alg).toBe('ES256');
    const { token } = (await issue({ scope: 'read:brands' })).body;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: rotated.body.key.kid });
    expect((await verify({ token })).body.code).toBe('VALID');
    await t.request('POST', '/v1/keys/rotate', { token: t.rootSecret, body: { alg: 'EdDSA' } });
  });

  itRefusesUnauthorised(() => t, { method: 'POST', path: '/v1/keys/rotate', permission: 'account:manage' });
});
