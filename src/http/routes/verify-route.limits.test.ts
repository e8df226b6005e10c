/** Rate limits on verify and forward auth (issue 19): decided in memory, and what a token holder might try against them. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

const messaging = readFileSync(new URL('../../../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  // Windows are aligned to the epoch: start the clock at the beginning of a minute so a test's checks share one.
  t.clock.ms = Math.ceil(t.clock.ms / 3_600_000) * 3_600_000;
  expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: messaging, format: 'yaml' } })).status).toBe(200);
});
afterAll(async () => t.close());

const verify = (body: Record<string, unknown>) => t.request('POST', '/v1/verify', { body });
const perMinute = (limit: number, name = 'per-minute') => ({ name, limit, duration: '1m' });
/** Moves the clock to the start of a fresh hour: every window of an earlier test is over. */
const freshWindow = () => {
  t.clock.ms = Math.floor(t.clock.ms / 3_600_000) * 3_600_000 + 3_600_000;
};

describe('rate limits on POST /v1/verify', () => {
  it('counts each check in memory and answers RATE_LIMITED with every limit’s state once one is spent', async () => {
    freshWindow();
    const token = await t.createToken({ name: 'limited', scopes: ['message:send'], limits: [perMinute(3), { name: 'per-day', limit: 1000, duration: '1 day' }] });
    expect(token.token.limits).toEqual([{ name: 'per-minute', limit: 3, duration: 60 }, { name: 'per-day', limit: 1000, duration: 86_400 }]);
    const remaining: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await verify({ token: token.secret });
      expect(res.body.code).toBe('VALID');
      remaining.push(res.body.ratelimits[0].remaining);
    }
    expect(remaining).toEqual([2, 1, 0]);
    const refused = await verify({ token: token.secret });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ valid: false, code: 'RATE_LIMITED', tokenId: token.id });
    expect(refused.body.ratelimits).toEqual([
      { name: 'per-minute', holder: 'token', holderId: token.id, limit: 3, duration: 60, remaining: 0, reset: new Date(t.clock.ms + 60_000).toISOString() },
      // A refused check consumes nothing: the day's count stays at 3.
      { name: 'per-day', holder: 'token', holderId: token.id, limit: 1000, duration: 86_400, remaining: 997, reset: expect.any(String) },
    ]);
    t.clock.advance(120);
    expect((await verify({ token: token.secret })).body.code).toBe('VALID');
  });

  it('consumes `cost` from the limits a check names, or from all of them', async () => {
    freshWindow();
    const token = await t.createToken({ name: 'costly', scopes: ['message:send'], limits: [perMinute(10), perMinute(100, 'reads')] });
    const named = await verify({ token: token.secret, limits: ['per-minute'], cost: 4 });
    expect(named.body.ratelimits.map((s: { name: string; remaining: number }) => [s.name, s.remaining])).toEqual([['per-minute', 6]]);
    const all = await verify({ token: token.secret, cost: 6 });
    expect(all.body.ratelimits.map((s: { name: string; remaining: number }) => [s.name, s.remaining])).toEqual([['per-minute', 0], ['reads', 94]]);
    expect((await verify({ token: token.secret, limits: ['reads'] })).body.code).toBe('VALID');
    expect((await verify({ token: token.secret })).body.code).toBe('RATE_LIMITED');
  });

  it.each([
    [{ cost: 0 }, 'cost'],
    [{ cost: -5 }, 'cost'],
    [{ cost: 1e12 }, 'cost'],
    [{ cost: 1.5 }, 'cost'],
    [{ limits: [''] }, 'limits'],
  ])('refuses a check with %j (400 naming the field): no refund, no overflow', async (extra, field) => {
    const token = await t.createToken({ name: 'x', scopes: ['message:send'], limits: [perMinute(5)] });
    const res = await verify({ token: token.secret, ...extra });
    expect([res.status, messageId(res)]).toEqual([400, 'BAD_REQUEST']);
    expect(res.body.requestError.serviceException.text).toContain(field);
  });

  it('refuses limits with odd names, sizes or durations, naming the field', async () => {
    for (const [limit, field] of [
      [{ name: 'a b', limit: 1, duration: 60 }, 'limits[0].name'],
      [{ name: '"quoted"', limit: 1, duration: 60 }, 'limits[0].name'],
      [{ name: 'ok', limit: 0, duration: 60 }, 'limits[0].limit'],
      [{ name: 'ok', limit: 1, duration: '400 days' }, 'limits[0].duration'],
      [{ name: 'ok', limit: 1, duration: 0 }, 'limits[0].duration'],
    ] as const) {
      const res = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'odd', scopes: ['message:send'], limits: [limit] } });
      expect([res.status, res.body.requestError.serviceException.text]).toEqual([400, expect.stringContaining(field)]);
    }
  });

  it('shares an identity’s limits between all its tokens', async () => {
    freshWindow();
    const identity = (await t.request('POST', '/v1/identities', { token: t.rootSecret, body: { externalId: 'shared', limits: [perMinute(3)] } })).body;
    const a = await t.createToken({ name: 'a', scopes: ['message:send'], identityId: identity.id });
    const b = await t.createToken({ name: 'b', scopes: ['message:send'], identityId: identity.id });
    expect((await verify({ token: a.secret })).body.code).toBe('VALID');
    expect((await verify({ token: b.secret })).body.code).toBe('VALID');
    expect((await verify({ token: a.secret })).body.ratelimits).toEqual([expect.objectContaining({ holder: 'identity', holderId: identity.id, remaining: 0 })]);
    const refused = await verify({ token: b.secret });
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', identity: { id: identity.id, externalId: 'shared' } });
    // A change to the identity's limits is seen by the next check (its cached copy is dropped).
    await t.request('PATCH', `/v1/identities/${identity.id}`, { token: t.rootSecret, body: { limits: [perMinute(10)] } });
    expect((await verify({ token: b.secret })).body.code).toBe('VALID');
  });
});

describe('what a token holder might try against its limits', () => {
  it('cannot raise its own limits, nor those of a token that made it; its creator can', async () => {
    const parent = await t.createToken({ name: 'parent', scopes: ['tokens:create', 'tokens:update', 'message:send'], limits: [perMinute(5)] });
    const own = await t.request('PATCH', `/v1/tokens/${parent.id}`, { token: parent.secret, body: { limits: [perMinute(5000)] } });
    expect([own.status, messageId(own)]).toEqual([403, 'FORBIDDEN']);
    const dropIdentity = await t.request('PATCH', `/v1/tokens/${parent.id}`, { token: parent.secret, body: { identityId: null } });
    expect(dropIdentity.status).toBe(403);
    const child = await t.createToken({ name: 'child', scopes: ['tokens:update', 'message:send'] }, parent.secret);
    const upward = await t.request('PATCH', `/v1/tokens/${parent.id}`, { token: child.secret, body: { limits: [] } });
    expect(upward.status).toBe(403);
    const byParent = await t.request('PATCH', `/v1/tokens/${child.id}`, { token: parent.secret, body: { limits: [perMinute(1000)] } });
    expect([byParent.status, byParent.body.limits]).toEqual([200, [{ name: 'per-minute', limit: 1000, duration: 60 }]]);
  });

  it('a child token, however high its own limits, never passes more checks than its creator’s limits allow', async () => {
    freshWindow();
    const parent = await t.createToken({ name: 'parent', scopes: ['tokens:create', 'message:send'], limits: [perMinute(3)] });
    const child = await t.createToken({ name: 'child', scopes: ['message:send'], limits: [perMinute(1000)] }, parent.secret);
    const codes: string[] = [];
    for (let i = 0; i < 5; i += 1) codes.push((await verify({ token: child.secret })).body.code);
    expect(codes).toEqual(['VALID', 'VALID', 'VALID', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect((await verify({ token: parent.secret })).body.code).toBe('RATE_LIMITED');
  });

  it('a JWT issued from a token consumes that token’s limits (no bypass by presenting the JWT)', async () => {
    freshWindow();
    const issuer = await t.createToken({ name: 'issuer', scopes: ['tokens:issue', 'message:send'], limits: [perMinute(3)] });
    const issued = await t.request('POST', '/v1/auth/issue-token', { token: issuer.secret, body: { scope: 'message:send', expires_in: 600 } });
    expect(issued.status).toBe(200);
    const jwt = issued.body.access_token ?? issued.body.token;
    const codes: string[] = [];
    for (const secret of [jwt, issuer.secret, jwt, jwt, issuer.secret]) codes.push((await verify({ token: secret })).body.code);
    expect(codes).toEqual(['VALID', 'VALID', 'VALID', 'RATE_LIMITED', 'RATE_LIMITED']);
  });
});

describe('rate limits on forward auth', () => {
  const authorize = (secret: string) =>
    t.request('GET', '/v1/authorize', { headers: { authorization: `Bearer ${secret}`, 'x-original-method': 'POST', 'x-original-uri': '/sms/2/text/advanced' } });

  it('passes with the RateLimit headers and the identity headers, then answers 429 in the envelope with Retry-After', async () => {
    freshWindow();
    t.clock.advance(15);
    const identity = (await t.request('POST', '/v1/identities', { token: t.rootSecret, body: { externalId: 'gw-user' } })).body;
    const token = await t.createToken({ name: 'gw', scopes: ['message:send'], identityId: identity.id, limits: [perMinute(2)] });
    const first = await authorize(token.secret);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"per-minute";q=2;w=60');
    expect(first.headers.get('ratelimit')).toBe('"per-minute";r=1;t=45');
    expect(first.headers.get('x-tessera-identity-id')).toBe(identity.id);
    expect(first.headers.get('x-tessera-external-id')).toBe('gw-user');
    expect((await authorize(token.secret)).status).toBe(200);
    const refused = await authorize(token.secret);
    expect(refused.status).toBe(429);
    expect(messageId(refused)).toBe('RATE_LIMITED');
    expect(refused.headers.get('retry-after')).toBe('45');
    expect(refused.headers.get('ratelimit')).toBe('"per-minute";r=0;t=45');
  });

  it('counts checks that consumed limits by outcome in tessera_limit_checks_total', async () => {
    const scrape = async () => (await t.request('GET', '/metrics')).text;
    const count = (text: string, outcome: string) => Number(new RegExp(`tessera_limit_checks_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    const before = await scrape();
    freshWindow();
    const token = await t.createToken({ name: 'metered', scopes: ['message:send'], limits: [perMinute(1)] });
    await verify({ token: token.secret });
    await verify({ token: token.secret });
    await verify({ token: t.rootSecret });
    const after = await scrape();
    expect([count(after, 'passed') - count(before, 'passed'), count(after, 'rate_limited') - count(before, 'rate_limited')]).toEqual([1, 1]);
  });
});

describe('credits on forward auth', () => {
  const authorize = (secret: string) =>
    t.request('GET', '/v1/authorize', { headers: { authorization: `Bearer ${secret}`, 'x-original-method': 'POST', 'x-original-uri': '/sms/2/text/advanced' } });

  it('passes with X-Tessera-Credits-Remaining, then answers 429 USAGE_EXCEEDED in the envelope; counted in tessera_credit_checks_total', async () => {
    const scrape = async () => (await t.request('GET', '/metrics')).text;
    const count = (text: string, outcome: string) => Number(new RegExp(`tessera_credit_checks_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    const before = await scrape();
    const token = await t.createToken({ name: 'gw-credits', scopes: ['message:send'], credits: { remaining: 1 } });
    const first = await authorize(token.secret);
    expect([first.status, first.headers.get('x-tessera-credits-remaining')]).toEqual([200, '0']);
    const refused = await authorize(token.secret);
    expect([refused.status, messageId(refused), refused.headers.get('retry-after')]).toEqual([429, 'USAGE_EXCEEDED', null]);
    const after = await scrape();
    expect([count(after, 'passed') - count(before, 'passed'), count(after, 'usage_exceeded') - count(before, 'usage_exceeded')]).toEqual([1, 1]);
  });
});

describe('GET /v1/tokens/:id/ratelimits and /v1/identities/:id/ratelimits: the current state', () => {
  const read = (path: string, token = t.rootSecret) => t.request('GET', `${path}/ratelimits`, { token });

  it('tells every limit a check of the token consumes (its own, its maker’s, its identity’s) with what is left, consuming nothing', async () => {
    freshWindow();
    const identity = (await t.request('POST', '/v1/identities', { token: t.rootSecret, body: { externalId: 'state-reader', limits: [perMinute(10, 'shared')] } })).body;
    const maker = await t.createToken({ name: 'maker', scopes: ['tokens:create', 'identities:write', 'message:send'], limits: [perMinute(50, 'maker-minute')] });
    const child = await t.createToken({ name: 'child', scopes: ['message:send'], identityId: identity.id, limits: [perMinute(4)] }, maker.secret);
    const reset = new Date(t.clock.ms + 60_000).toISOString();
    const state = (name: string, holder: string, holderId: string, limit: number, remaining: number) => ({ name, holder, holderId, limit, duration: 60, remaining, reset });

    const before = await read(`/v1/tokens/${child.id}`);
    expect(before.status).toBe(200);
    expect(before.body.ratelimits).toEqual([
      state('per-minute', 'token', child.id, 4, 4), state('maker-minute', 'token', maker.id, 50, 50), state('shared', 'identity', identity.id, 10, 10),
    ]);
    for (let i = 0; i < 3; i += 1) expect((await verify({ token: child.secret })).body.code).toBe('VALID');
    const after = await read(`/v1/tokens/${child.id}`);
    expect(after.body.ratelimits.map((s: { remaining: number }) => s.remaining)).toEqual([1, 47, 7]);
    // Reading consumed nothing: the same again, and one more check still passes.
    expect((await read(`/v1/tokens/${child.id}`)).body).toEqual(after.body);
    expect((await verify({ token: child.secret })).body.code).toBe('VALID');
    expect((await read(`/v1/tokens/${child.id}`)).body.ratelimits[0].remaining).toBe(0);
    expect((await verify({ token: child.secret })).body.code).toBe('RATE_LIMITED');

    // The identity's shared limit, as every token of it spends it; the maker sees its own only.
    expect((await read(`/v1/identities/${identity.id}`)).body.ratelimits).toEqual([state('shared', 'identity', identity.id, 10, 6)]);
    expect((await read(`/v1/tokens/${maker.id}`)).body.ratelimits).toEqual([state('maker-minute', 'token', maker.id, 50, 46)]);
    // A new window starts full.
    t.clock.advance(120);
    expect((await read(`/v1/tokens/${child.id}`)).body.ratelimits[0]).toMatchObject({ remaining: 4, reset: new Date(Math.floor(t.clock.ms / 60_000) * 60_000 + 60_000).toISOString() });
  });

  it('is empty for a token or identity without limits, and 404 for one of another account or none', async () => {
    const plain = await t.createToken({ name: 'plain', scopes: ['message:send'] });
    expect((await read(`/v1/tokens/${plain.id}`)).body).toEqual({ ratelimits: [] });
    const identity = (await t.request('POST', '/v1/identities', { token: t.rootSecret, body: { externalId: 'no-limits' } })).body;
    expect((await read(`/v1/identities/${identity.id}`)).body).toEqual({ ratelimits: [] });
    for (const path of ['/v1/tokens/tok_doesnotexist', '/v1/identities/idn_doesnotexist']) {
      const res = await read(path);
      expect([res.status, messageId(res)]).toEqual([404, 'NOT_FOUND']);
    }
  });

  it('a token reads its own limits without tokens:read, and another token’s only with it', async () => {
    freshWindow();
    const own = await t.createToken({ name: 'own', scopes: ['message:send'], limits: [perMinute(2)] });
    const other = await t.createToken({ name: 'other', scopes: ['message:send'], limits: [perMinute(2)] });
    expect((await read(`/v1/tokens/${own.id}`, own.secret)).body.ratelimits).toMatchObject([{ name: 'per-minute', remaining: 2 }]);
    const refused = await read(`/v1/tokens/${other.id}`, own.secret);
    expect([refused.status, messageId(refused)]).toEqual([403, 'FORBIDDEN']);
    // Reading its own state spends nothing of it.
    expect((await read(`/v1/tokens/${own.id}`, own.secret)).body.ratelimits[0].remaining).toBe(2);
  });
});
