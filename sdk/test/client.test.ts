// The generated client against a real Tessera: typed calls, and every failure as one TesseraApiError.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTesseraClient, createVerifier, missingScopes, presentedToken, scopeCovers, TesseraApiError } from '@tessera/sdk';
import { startTestApp, type TestApp } from '../../src/testing/test-app.js';
import { freePort } from '../../src/testing/server-process.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

describe('createTesseraClient', () => {
  it('creates and verifies a token through typed calls', async () => {
    const tessera = createTesseraClient({ baseUrl: t.baseUrl, token: t.rootSecret });
    const { data: created } = await tessera.POST('/v1/tokens', { body: { name: 'sdk', profileId: 'sdk-user', scopes: ['tokens:read'] } });
    expect(created!.secret).toMatch(/^tsr_/);
    const { data: verdict } = await tessera.POST('/v1/verify', { body: { token: created!.secret, scopes: ['tokens:read'] } });
    expect(verdict).toMatchObject({ valid: true, code: 'VALID', tokenId: created!.token.id, profileId: 'sdk-user' });
    const { data: shown } = await tessera.GET('/v1/tokens/{id}', { params: { path: { id: created!.token.id } } });
    expect(shown!.name).toBe('sdk');
  });

  it('throws TesseraApiError with code, status, headers and body for a 403', async () => {
    const reader = await t.createToken({ name: 'reader', scopes: ['tokens:read'] });
    const tessera = createTesseraClient({ baseUrl: t.baseUrl, token: reader.secret });
    const error = await tessera.POST('/v1/tokens', { body: { name: 'x', scopes: ['tokens:read'] } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraApiError);
    const e = error as TesseraApiError;
    expect([e.code, e.status]).toEqual(['FORBIDDEN', 403]);
    expect(e.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    expect(e.body).toMatchObject({ requestError: { serviceException: { messageId: 'FORBIDDEN' } } });
    expect(e.message).not.toContain(reader.secret);
  });

  it('throws TesseraApiError for 401 and 404 as well', async () => {
    const anonymous = createTesseraClient({ baseUrl: t.baseUrl });
    await expect(anonymous.GET('/v1/tokens', {})).rejects.toMatchObject({ name: 'TesseraApiError', code: 'UNAUTHORIZED', status: 401 });
    const root = createTesseraClient({ baseUrl: t.baseUrl, token: t.rootSecret });
    await expect(root.GET('/v1/tokens/{id}', { params: { path: { id: 'tok_missing' } } })).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('throws TesseraApiError NETWORK_ERROR (status 0) when nothing listens', async () => {
    const nowhere = createTesseraClient({ baseUrl: `http://127.0.0.1:${await freePort()}` });
    await expect(nowhere.GET('/healthz', {})).rejects.toMatchObject({ name: 'TesseraApiError', code: 'NETWORK_ERROR', status: 0 });
  });
});

describe('createVerifier', () => {
  it('caches positive answers only, keyed by token, requirement and address', async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const verifier = createVerifier({ baseUrl: t.baseUrl, fetch: counting, clock: t.clock.now });
    const reader = await t.createToken({ name: 'reader', scopes: ['tokens:read'] });
    const need = { kind: 'scopes', scopes: ['tokens:read'] } as const;
    expect((await verifier.verify(reader.secret, need, '127.0.0.1')).ok).toBe(true);
    expect((await verifier.verify(reader.secret, need, '127.0.0.1')).ok).toBe(true);
    expect(calls).toBe(1);
    expect(verifier.cached(reader.secret, need, '127.0.0.1')?.tokenId).toBe(reader.id);
    expect(verifier.cached(reader.secret, need, '10.0.0.1')).toBeUndefined();
    const wider = { kind: 'scopes', scopes: ['tokens:create'] } as const;
    expect(await verifier.verify(reader.secret, wider)).toMatchObject({ ok: false, code: 'INSUFFICIENT_SCOPE', missingScopes: ['tokens:create'] });
    expect(await verifier.verify(reader.secret, wider)).toMatchObject({ ok: false });
    expect(calls).toBe(3);
    expect(await verifier.verify('x'.repeat(5000), need)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });
});

describe('offline helpers', () => {
  it.each([
    ['orders:read', 'orders:read', true],
    ['orders:*', 'orders:read', true],
    ['*', 'anything:at:all', true],
    ['orders:*', 'orders', false],
    ['*:read', 'orders:read', true],
    ['*:read', 'orders:write', false],
    ['orders:read', 'orders:*', false],
  ])('scopeCovers(%s, %s) = %s', (granted, required, expected) => {
    expect(scopeCovers(granted, required)).toBe(expected);
  });

  it('missingScopes lists what no grant covers', () => {
    expect(missingScopes(['orders:*'], ['orders:read', 'invoices:read'])).toEqual(['invoices:read']);
  });

  it('presentedToken follows the enabled schemes and refuses two places', () => {
    const none = { authorization: undefined, apiKey: undefined, accessToken: undefined };
    expect(presentedToken({ ...none, authorization: 'bearer  abc ' })).toEqual({ kind: 'token', token: 'abc' });
    expect(presentedToken({ ...none, authorization: 'App abc' }).kind).toBe('malformed');
    expect(presentedToken({ ...none, authorization: 'App abc' }, { appScheme: true })).toEqual({ kind: 'token', token: 'abc' });
    expect(presentedToken({ ...none, accessToken: 'abc' })).toEqual({ kind: 'none' });
    expect(presentedToken({ ...none, accessToken: 'abc' }, { accessTokenQuery: true })).toEqual({ kind: 'token', token: 'abc' });
    expect(presentedToken({ ...none, authorization: 'Bearer a', apiKey: 'b' })).toEqual({ kind: 'ambiguous' });
  });
});
