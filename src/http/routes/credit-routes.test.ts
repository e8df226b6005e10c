/** Credits (issue 19): set and add through the API, spent by verify and forward auth, and what a token holder might try. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountId } from '../../core/types.js';
import { systemActor } from '../../service/index.js';
import { itRefusesUnauthorised } from '../../testing/security-cases.js';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  t.clock.ms = Math.ceil(t.clock.ms / 3_600_000) * 3_600_000;
});
afterAll(async () => t.close());

const verify = (body: Record<string, unknown>) => t.request('POST', '/v1/verify', { body });
const putCredits = (path: string, body: unknown, token = t.rootSecret) => t.request('PUT', `${path}/credits`, { token, body });
const addCredits = (path: string, amount: unknown, token = t.rootSecret) => t.request('POST', `${path}/credits/add`, { token, body: { amount } });
const accountId = async () => (await t.request('GET', '/v1/account', { token: t.rootSecret })).body.id as AccountId;
const codes = async (secret: string, n: number, extra: Record<string, unknown> = {}) => {
  const seen: string[] = [];
  for (let i = 0; i < n; i += 1) seen.push((await verify({ token: secret, ...extra })).body.code);
  return seen;
};

describe('credits on POST /v1/verify', () => {
  it('spends each check’s cost in memory and answers USAGE_EXCEEDED with what is left once fewer than the cost remain', async () => {
    const token = await t.createToken({ name: 'metered', scopes: ['a:b'], credits: { remaining: 5 } });
    expect(token.token.credits).toEqual({ remaining: 5, refill: null, strict: false });
    expect((await verify({ token: token.secret })).body).toMatchObject({ valid: true, code: 'VALID', credits: { remaining: 4 } });
    expect((await verify({ token: token.secret, cost: 3 })).body.credits).toEqual({ remaining: 1 });
    const refused = await verify({ token: token.secret, cost: 2 });
    expect([refused.status, refused.body.valid, refused.body.code, refused.body.credits]).toEqual([200, false, 'USAGE_EXCEEDED', { remaining: 1 }]);
    expect((await verify({ token: token.secret })).body.credits).toEqual({ remaining: 0 });
    expect(await codes(token.secret, 2)).toEqual(['USAGE_EXCEEDED', 'USAGE_EXCEEDED']);
    // Written in the background: the stored balance shows it after a flush.
    await t.tessera.ctx.credits.flush();
    expect((await t.request('GET', `/v1/tokens/${token.id}`, { token: t.rootSecret })).body.credits.remaining).toBe(0);
  });

  it('a token without credits answers no credits field; a refused rate limit spends no credits', async () => {
    expect((await verify({ token: t.rootSecret })).body.credits).toBeUndefined();
    const token = await t.createToken({ name: 'both', scopes: ['a:b'], credits: { remaining: 10 }, limits: [{ name: 'per-minute', limit: 1, duration: 60 }] });
    expect(await codes(token.secret, 3)).toEqual(['VALID', 'RATE_LIMITED', 'RATE_LIMITED']);
    t.clock.advance(120);
    expect((await verify({ token: token.secret })).body.credits).toEqual({ remaining: 8 });
  });

  it('refills to the amount at each period, lazily at the next check', async () => {
    const token = await t.createToken({ name: 'hourly', scopes: ['a:b'], credits: { remaining: 2, refill: { amount: 3, interval: '1h' } } });
    expect(await codes(token.secret, 3)).toEqual(['VALID', 'VALID', 'USAGE_EXCEEDED']);
    t.clock.advance(3600);
    expect(await codes(token.secret, 4)).toEqual(['VALID', 'VALID', 'VALID', 'USAGE_EXCEEDED']);
    await t.tessera.ctx.credits.flush();
    expect((await t.request('GET', `/v1/tokens/${token.id}`, { token: t.rootSecret })).body.credits).toEqual({ remaining: 0, refill: { amount: 3, interval: 3600 }, strict: false });
  });

  it('shares an identity’s credits between its tokens, and a creator’s credits with the tokens it made', async () => {
    const identity = (await t.request('POST', '/v1/identities', { token: t.rootSecret, body: { externalId: 'payer', credits: { remaining: 3 } } })).body;
    expect(identity.credits).toEqual({ remaining: 3, refill: null, strict: false });
    const a = await t.createToken({ name: 'a', scopes: ['a:b'], identityId: identity.id });
    const b = await t.createToken({ name: 'b', scopes: ['a:b'], identityId: identity.id, credits: { remaining: 100 } });
    expect(await codes(a.secret, 2)).toEqual(['VALID', 'VALID']);
    expect((await verify({ token: b.secret })).body.credits).toEqual({ remaining: 0 });
    expect((await verify({ token: b.secret })).body).toMatchObject({ code: 'USAGE_EXCEEDED', identity: { id: identity.id }, credits: { remaining: 0 } });

    const parent = await t.createToken({ name: 'parent', scopes: ['tokens:create', 'a:b'], credits: { remaining: 2 } });
    const child = await t.createToken({ name: 'child', scopes: ['a:b'], credits: { remaining: 1000 } }, parent.secret);
    expect(await codes(child.secret, 3)).toEqual(['VALID', 'VALID', 'USAGE_EXCEEDED']);
    expect(await codes(parent.secret, 1)).toEqual(['USAGE_EXCEEDED']);
  });

  it('strict credits: one atomic database update per check, exact without a flush', async () => {
    const token = await t.createToken({ name: 'strict', scopes: ['a:b'], credits: { remaining: 2, strict: true } });
    expect((await verify({ token: token.secret })).body.credits).toEqual({ remaining: 1 });
    // No flush: the stored balance is already spent.
    expect((await t.request('GET', `/v1/tokens/${token.id}`, { token: t.rootSecret })).body.credits).toEqual({ remaining: 1, refill: null, strict: true });
    expect(await codes(token.secret, 2)).toEqual(['VALID', 'USAGE_EXCEEDED']);
    expect((await verify({ token: token.secret })).body.credits).toEqual({ remaining: 0 });
  });
});

describe('setting and adding credits', () => {
  it('sets, adds and reads back credits of a token and of an identity; every change audited', async () => {
    const token = await t.createToken({ name: 'topped', scopes: ['a:b'] });
    const path = `/v1/tokens/${token.id}`;
    const none = await addCredits(path, 5);
    expect([none.status, messageId(none)]).toEqual([409, 'CONFLICT']);
    expect((await putCredits(path, { remaining: 1, refill: { amount: 10, monthlyOn: 1 } })).body).toEqual({ remaining: 1, refill: { amount: 10, monthlyOn: 1 }, strict: false });
    expect(await codes(token.secret, 2)).toEqual(['VALID', 'USAGE_EXCEEDED']);
    await t.tessera.ctx.credits.flush();
    const added = await addCredits(path, 4);
    expect([added.status, added.body]).toEqual([200, { remaining: 4, refill: { amount: 10, monthlyOn: 1 }, strict: false }]);
    // The next check sees the new balance at once (this instance's change drops its balance in memory).
    expect((await verify({ token: token.secret })).body.credits).toEqual({ remaining: 3 });
    expect((await putCredits(path, { remaining: 7 })).body).toEqual({ remaining: 7, refill: { amount: 10, monthlyOn: 1 }, strict: false });
    expect((await t.request('PATCH', path, { token: t.rootSecret, body: { credits: null } })).body.credits).toBeNull();
    expect((await verify({ token: token.secret })).body.credits).toBeUndefined();

    const identity = (await t.request('POST', '/v1/identities', { token: t.rootSecret, body: { externalId: 'topped-up' } })).body;
    expect((await putCredits(`/v1/identities/${identity.id}`, { remaining: 2, strict: true })).body).toEqual({ remaining: 2, refill: null, strict: true });
    expect((await addCredits(`/v1/identities/${identity.id}`, 3)).body.remaining).toBe(5);
    expect((await t.request('GET', `/v1/identities/${identity.id}`, { token: t.rootSecret })).body.credits).toEqual({ remaining: 5, refill: null, strict: true });

    const audit = await t.tessera.listAudit(systemActor(await accountId()), {});
    const ofToken = audit.items.filter((e) => e.targetId === token.id).map((e) => e.action);
    expect(ofToken).toEqual(['token.update', 'token.credits', 'token.credits', 'token.credits', 'token.create']);
    const credited = audit.items.find((e) => e.targetId === token.id && e.action === 'token.credits');
    // Audit tells the stored balance: the check spent in memory since the add is not written yet.
    expect([(credited!.before as { credits: unknown }).credits, (credited!.after as { credits: unknown }).credits]).toEqual([
      { remaining: 4, refill: { amount: 10, monthlyOn: 1 }, strict: false },
      { remaining: 7, refill: { amount: 10, monthlyOn: 1 }, strict: false },
    ]);
    const ofIdentity = audit.items.filter((e) => e.targetId === identity.id);
    expect(ofIdentity.map((e) => e.action)).toEqual(['identity.credits', 'identity.credits', 'identity.create']);
    expect([ofIdentity[0]!.before, ofIdentity[0]!.after]).toEqual([{ remaining: 2, refill: null, strict: true }, { remaining: 5, refill: null, strict: true }]);
  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const token = await t.createToken({ name: 'odd', scopes: ['a:b'], credits: { remaining: 9 } });
    const path = `/v1/tokens/${token.id}`;
    for (const [res, field] of [
      [await putCredits(path, { remaining: -1 }), 'remaining'],
      [await putCredits(path, { remaining: 1.5 }), 'remaining'],
      [await putCredits(path, { remaining: 1, refill: { amount: 5 } }), 'refill'],
      [await putCredits(path, { remaining: 1, refill: { amount: 5, interval: 'often' } }), 'refill.interval'],
      [await putCredits(path, { remaining: 1, refill: { amount: 5, interval: 3600, monthlyOn: 2 } }), 'refill'],
      [await putCredits(path, { remaining: 1, extra: true }), 'extra'],
      [await addCredits(path, 0), 'amount'],
      [await addCredits(path, -3), 'amount'],
      [await addCredits(path, 1e12), 'amount'],
      [await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'x', scopes: ['a:b'], credits: { remaining: 1, refill: { amount: 0, interval: 60 } } } }), 'credits.refill.amount'],
      [await t.request('PATCH', path, { token: t.rootSecret, body: { credits: { remaining: 'lots' } } }), 'credits.remaining'],
    ] as const) {
      expect([res.status, messageId(res), res.body.requestError.serviceException.text]).toEqual([400, 'BAD_REQUEST', expect.stringContaining(field)]);
    }
    const read = await t.request('GET', path, { token: t.rootSecret });
    expect([read.body.credits, read.body.version]).toEqual([{ remaining: 9, refill: null, strict: false }, 1]);
    expect((await putCredits('/v1/tokens/tok_nothing', { remaining: 1 })).status).toBe(404);
    expect((await addCredits('/v1/identities/idn_nothing', 1)).status).toBe(404);
  });

  itRefusesUnauthorised(() => t, { method: 'PUT', path: '/v1/tokens/tok_x/credits', body: { remaining: 1 }, permission: 'tokens:update' });
  itRefusesUnauthorised(() => t, { method: 'POST', path: '/v1/identities/idn_x/credits/add', body: { amount: 1 }, permission: 'identities:write' });
});

describe('what a token holder might try against its credits', () => {
  it('cannot set or add credits of itself or of a token that made it; its creator can', async () => {
    const parent = await t.createToken({ name: 'parent', scopes: ['tokens:create', 'tokens:update', 'a:b'], credits: { remaining: 1 } });
    const child = await t.createToken({ name: 'child', scopes: ['tokens:update', 'a:b'], credits: { remaining: 1 } }, parent.secret);
    for (const res of [
      await putCredits(`/v1/tokens/${parent.id}`, { remaining: 1e9 }, parent.secret),
      await addCredits(`/v1/tokens/${parent.id}`, 1000, parent.secret),
      await t.request('PATCH', `/v1/tokens/${parent.id}`, { token: parent.secret, body: { credits: null } }),
      await addCredits(`/v1/tokens/${child.id}`, 1000, child.secret),
      await addCredits(`/v1/tokens/${parent.id}`, 1000, child.secret),
      await putCredits(`/v1/tokens/${parent.id}`, { remaining: 5 }, child.secret),
    ]) {
      expect([res.status, messageId(res), res.body.requestError.serviceException.text]).toEqual([403, 'FORBIDDEN', expect.stringContaining('credits')]);
    }
    expect((await addCredits(`/v1/tokens/${child.id}`, 4, parent.secret)).body.remaining).toBe(5);
    expect((await t.request('GET', `/v1/tokens/${parent.id}`, { token: t.rootSecret })).body.credits.remaining).toBe(1);
  });

  it('cannot top up its own identity, nor that of a token that made it, even holding identities:write', async () => {
    const identity = (await t.request('POST', '/v1/identities', { token: t.rootSecret, body: { externalId: 'self-payer', credits: { remaining: 1 } } })).body;
    const parent = await t.createToken({ name: 'owned', scopes: ['identities:write', 'tokens:create', 'a:b'], identityId: identity.id });
    const child = await t.createToken({ name: 'owned-child', scopes: ['identities:write', 'a:b'] }, parent.secret);
    for (const secret of [parent.secret, child.secret]) {
      const res = await addCredits(`/v1/identities/${identity.id}`, 1000, secret);
      expect([res.status, messageId(res)]).toEqual([403, 'FORBIDDEN']);
      const patched = await t.request('PATCH', `/v1/identities/${identity.id}`, { token: secret, body: { credits: { remaining: 1000 } } });
      expect([patched.status, messageId(patched)]).toEqual([403, 'FORBIDDEN']);
    }
    expect((await t.request('GET', `/v1/identities/${identity.id}`, { token: t.rootSecret })).body.credits.remaining).toBe(1);
  });

  it('a token without tokens:update cannot set credits; one with it cannot reach a token beyond its own permissions', async () => {
    const target = await t.createToken({ name: 'target', scopes: ['tokens:read', 'a:b', 'c:d'], credits: { remaining: 1 } });
    const reader = await t.createToken({ name: 'reader', scopes: ['tokens:read'] });
    const res = await addCredits(`/v1/tokens/${target.id}`, 10, reader.secret);
    expect([res.status, messageId(res)]).toEqual([403, 'FORBIDDEN']);
    const narrow = await t.createToken({ name: 'narrow', scopes: ['tokens:update', 'a:b'] });
    const beyond = await addCredits(`/v1/tokens/${target.id}`, 10, narrow.secret);
    expect([beyond.status, messageId(beyond)]).toEqual([403, 'FORBIDDEN']);
  });

  it('a JWT issued from a token spends that token’s credits', async () => {
    const issuer = await t.createToken({ name: 'issuer', scopes: ['tokens:issue', 'a:b'], credits: { remaining: 2 } });
    const issued = await t.request('POST', '/v1/auth/issue-token', { token: issuer.secret, body: { scope: 'a:b', expires_in: 600 } });
    const jwt = issued.body.access_token ?? issued.body.token;
    expect(await codes(jwt, 3)).toEqual(['VALID', 'VALID', 'USAGE_EXCEEDED']);
    expect(await codes(issuer.secret, 1)).toEqual(['USAGE_EXCEEDED']);
  });
});
