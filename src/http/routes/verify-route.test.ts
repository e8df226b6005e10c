import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const verify = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  t.request('POST', '/v1/verify', { body, ...(headers ? { headers } : {}) });

describe('POST /v1/verify', () => {
  it('answers VALID with the identity, and needs no other credential', async () => {
    const made = await t.createToken({ name: 'sender', profileId: 'bot-7', scopes: ['message:send', 'sms:*'], metadata: { app: 'crm' } });
    const res = await verify({ token: made.secret, scopes: ['message:send', 'sms:logs:read'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      valid: true, code: 'VALID', tokenId: made.id, profileId: 'bot-7', name: 'sender',
      scopes: ['message:send', 'sms:*'], expiresAt: null, metadata: { app: 'crm' },
    });
    expect(res.body.accountId).toMatch(/^acc_/);
  });

  it.each([
    ['NOT_FOUND', async () => ({ token: `tsr_${'a'.repeat(64)}` })],
    ['NOT_FOUND', async () => ({ token: 'garbage' })],
    ['REVOKED', async () => {
      const m = await t.createToken({ name: 'r', scopes: ['a:b'] });
      await t.request('POST', `/v1/tokens/${m.id}/revoke`, { token: t.rootSecret });
      return { token: m.secret };
    }],
    ['DISABLED', async () => ({ token: (await t.createToken({ name: 'd', scopes: ['a:b'], enabled: false })).secret })],
    ['NOT_YET_VALID', async () => ({ token: (await t.createToken({ name: 'n', scopes: ['a:b'], validFrom: new Date(t.clock.ms + 60_000).toISOString() })).secret })],
    ['IP_NOT_ALLOWED', async () => ({ token: (await t.createToken({ name: 'i', scopes: ['a:b'], allowedIps: ['10.0.0.0/8'] })).secret, ip: '11.0.0.1' })],
    ['INSUFFICIENT_SCOPE', async () => ({ token: (await t.createToken({ name: 's', scopes: ['a:b'] })).secret, scopes: ['a:b', 'a:c'] })],
  ])('answers 200 with code %s', async (code, make) => {
    const res = await verify(await make());
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.code).toBe(code);
    if (code === 'INSUFFICIENT_SCOPE') expect(res.body.missingScopes).toEqual(['a:c']);
  });

  it('answers EXPIRED once the clock passes expiry', async () => {
    const made = await t.createToken({ name: 'e', scopes: ['a:b'], expiresAt: new Date(t.clock.ms + 1000).toISOString() });
    expect((await verify({ token: made.secret })).body.code).toBe('VALID');
    t.clock.advance(2);
    try {
      expect((await verify({ token: made.secret })).body.code).toBe('EXPIRED');
    } finally {
      t.clock.advance(-2);
    }
  });

  it('checks allowed IPs against the given ip, else the caller address (v4 and v6)', async () => {
    const made = await t.createToken({ name: 'ip', scopes: ['a:b'], allowedIps: ['127.0.0.0/8', '2001:db8::/32'] });
    expect((await verify({ token: made.secret })).body.code).toBe('VALID');
    expect((await verify({ token: made.secret, ip: '2001:db8::1' })).body.code).toBe('VALID');
    expect((await verify({ token: made.secret, ip: '2001:db9::1' })).body.code).toBe('IP_NOT_ALLOWED');
  });

  it('honours deny rules over grants', async () => {
    const made = await t.createToken({ name: 'deny', scopes: ['device:*'], deny: ['device:delete'] });
    expect((await verify({ token: made.secret, scopes: ['device:read'] })).body.code).toBe('VALID');
    expect((await verify({ token: made.secret, scopes: ['device:delete'] })).body.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('counts uses and last-used time in batches, off the request path', async () => {
    const made = await t.createToken({ name: 'used', scopes: ['a:b'] });
    for (let i = 0; i < 5; i++) await verify({ token: made.secret });
    await t.tessera.ctx.usage.flush();
    const token = (await t.request('GET', `/v1/tokens/${made.id}`, { token: t.rootSecret })).body;
    expect(token.useCount).toBe(5);
    expect(token.lastUsedAt).toBe(new Date(t.clock.ms).toISOString());
  });

  it.each([
    [{}, 'token'],
    [{ token: 'x', scopes: ['bad scope'] }, 'scopes[0]'],
    [{ token: 'x', scopes: 'a:b' }, 'scopes'],
    [{ token: 'x', extra: 1 }, 'extra'],
  ])('refuses a malformed request (%#) naming %s', async (body, field) => {
    const res = await verify(body);
    expect(res.status).toBe(400);
    expect(res.body.requestError.serviceException.text.startsWith(`${field}:`)).toBe(true);
  });

  it('requires tokens:verify from the caller when the account asks for it', async () => {
    const made = await t.createToken({ name: 'v', scopes: ['a:b'] });
    const verifier = await t.createToken({ name: 'verifier', scopes: ['tokens:verify'] });
    const other = await t.createToken({ name: 'other', scopes: ['a:b'] });
    await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { verifyRequiresPermission: true } });
    try {
      const anonymous = await verify({ token: made.secret });
      expect(anonymous.status).toBe(401);
      const wrong = await verify({ token: made.secret }, { authorization: `Bearer ${other.secret}` });
      expect(wrong.status).toBe(403);
      expect(messageId(wrong)).toBe('FORBIDDEN');
      const right = await verify({ token: made.secret }, { authorization: `Bearer ${verifier.secret}` });
      expect(right.body.code).toBe('VALID');
    } finally {
      await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { verifyRequiresPermission: false } });
    }
  });
});

describe('presentation schemes on authenticated routes', () => {
  it('accepts Bearer and X-API-Key always', async () => {
    expect((await t.request('GET', '/v1/account', { headers: { authorization: `Bearer ${t.rootSecret}` } })).status).toBe(200);
    expect((await t.request('GET', '/v1/account', { headers: { 'x-api-key': t.rootSecret } })).status).toBe(200);
  });

  it('accepts App and ?access_token= only where the account enables them', async () => {
    const app = () => t.request('GET', '/v1/account', { headers: { authorization: `App ${t.rootSecret}` } });
    const query = () => t.request('GET', `/v1/account?access_token=${t.rootSecret}`);
    expect((await app()).status).toBe(401);
    expect((await query()).status).toBe(401);
    await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { allowAppScheme: true, allowQueryToken: true } });
    try {
      expect((await app()).status).toBe(200);
      expect((await query()).status).toBe(200);
    } finally {
      await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { allowAppScheme: false, allowQueryToken: false } });
    }
  });

  it('refuses a token presented in two places at once (RFC 6750 §2)', async () => {
    const res = await t.request('GET', '/v1/account', { headers: { authorization: `Bearer ${t.rootSecret}`, 'x-api-key': t.rootSecret } });
    expect(res.status).toBe(400);
  });

  it('refuses an unknown Authorization scheme with invalid_token', async () => {
    const res = await t.request('GET', '/v1/account', { headers: { authorization: `Basic ${t.rootSecret}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});
