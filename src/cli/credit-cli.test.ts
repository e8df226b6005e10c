// `tessera token credits …`, `tessera identities credits …` and `… ratelimits` on a database and against a running server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCliDatabase } from '../testing/cli-database.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { runTessera } from '../testing/run-tessera.js';

let env: NodeJS.ProcessEnv = {};
const tessera = (argv: string[]) => runTessera(argv, env);

let db: string[];
let remove = () => {};
beforeAll(async () => {
  ({ args: db, env, remove } = await initCliDatabase('tessera-credit-cli-'));
});
afterAll(() => remove());

describe('tessera … credits (on the database)', () => {
  it('sets, adds and shows a token’s credits; a verify spends them and is written when the CLI exits', async () => {
    const { token, secret } = (await tessera(['token', 'create', '--name', 'metered', '--scope', 'a:b', '--json', ...db])).json();
    const set = await tessera(['token', 'credits', 'set', token.id, '--remaining', '2', '--refill', '100/1d', '--json', ...db]);
    expect([set.code, set.stderr]).toEqual([0, '']);
    expect(set.json()).toEqual({ remaining: 2, refill: { amount: 100, interval: 86_400 }, strict: false });
    expect((await tessera(['verify', secret, '--json', ...db])).json()).toMatchObject({ code: 'VALID', credits: { remaining: 1 } });
    const shown = await tessera(['token', 'credits', 'show', token.id, ...db]);
    expect(shown.stdout).toMatch(/remaining:\s+1\n/);
    expect(shown.stdout).toMatch(/refill:\s+to 100 every 86400s/);
    const added = await tessera(['token', 'credits', 'add', token.id, '5', '--json', ...db]);
    expect(added.json().remaining).toBe(6);
    const strict = await tessera(['token', 'credits', 'set', token.id, '--remaining', '0', '--no-refill', '--strict', '--json', ...db]);
    expect(strict.json()).toEqual({ remaining: 0, refill: null, strict: true });
    expect((await tessera(['verify', secret, '--json', ...db])).json()).toMatchObject({ code: 'USAGE_EXCEEDED', credits: { remaining: 0 } });
  });

  it('does the same for an identity, and says when there are none', async () => {
    const identity = (await tessera(['identities', 'create', '--external-id', 'payer', '--json', ...db])).json();
    expect((await tessera(['identities', 'credits', 'show', identity.id, ...db])).stdout).toBe(`${identity.id} has no credits\n`);
    const none = await tessera(['identities', 'credits', 'add', identity.id, '5', ...db]);
    expect([none.code, none.stderr]).toEqual([1, expect.stringContaining('set them first')]);
    expect((await tessera(['identities', 'credits', 'set', identity.id, '--remaining', '10', '--refill', '10/monthly:1', '--json', ...db])).json()).toEqual({ remaining: 10, refill: { amount: 10, monthlyOn: 1 }, strict: false });
    expect((await tessera(['identities', 'credits', 'add', identity.id, '5', '--json', ...db])).json().remaining).toBe(15);
    expect((await tessera(['identities', 'credits', 'show', identity.id, '--json', ...db])).json()).toEqual({ remaining: 15, refill: { amount: 10, monthlyOn: 1 }, strict: false });
  });

  it('refuses malformed flags naming them (exit 2), and bad values naming the field', async () => {
    const { token } = (await tessera(['token', 'create', '--name', 'x', '--scope', 'a:b', '--json', ...db])).json();
    const refill = await tessera(['token', 'credits', 'set', token.id, '--remaining', '1', '--refill', 'lots', ...db]);
    expect([refill.code, refill.stderr]).toEqual([2, expect.stringContaining('--refill')]);
    const remaining = await tessera(['token', 'credits', 'set', token.id, '--remaining', 'many', ...db]);
    expect([remaining.code, remaining.stderr]).toEqual([2, expect.stringContaining('--remaining')]);
    const negative = await tessera(['token', 'credits', 'set', token.id, '--remaining', '-1', ...db]);
    expect([negative.code, negative.stderr]).toEqual([1, expect.stringContaining('remaining')]);
    const interval = await tessera(['token', 'credits', 'set', token.id, '--remaining', '1', '--refill', '5/10', ...db]);
    expect([interval.code, interval.stderr]).toEqual([1, expect.stringContaining('credits.refill.interval')]);
  });
});

describe('tessera … ratelimits (on the database)', () => {
  it('shows what is left in each window of the token’s and its identity’s limits, as the checks made before it wrote them', async () => {
    const identity = (await tessera(['identities', 'create', '--external-id', 'cli-limited', '--rate-limit', 'shared=10/1h', '--json', ...db])).json();
    const { token, secret } = (await tessera(['token', 'create', '--name', 'limited', '--scope', 'a:b', '--rate-limit', 'per-hour=3/1h', '--identity', identity.id, '--json', ...db])).json();
    expect((await tessera(['token', 'ratelimits', token.id, ...db])).stdout).toMatch(/^NAME +HOLDER +REMAINING +LIMIT +WINDOW +RESETS\nper-hour +token tok_\S+ +3 +3 +3600s +\S+Z\nshared +identity idn_\S+ +10 +10 +3600s +\S+Z\n$/);
    for (let i = 0; i < 2; i += 1) expect((await tessera(['verify', secret, '--json', ...db])).json().code).toBe('VALID');
    const shown = (await tessera(['token', 'ratelimits', token.id, '--json', ...db])).json();
    expect(shown.ratelimits.map((s: { name: string; remaining: number }) => [s.name, s.remaining])).toEqual([['per-hour', 1], ['shared', 8]]);
    expect((await tessera(['identities', 'ratelimits', identity.id, '--json', ...db])).json().ratelimits).toMatchObject([{ name: 'shared', holder: 'identity', limit: 10, duration: 3600, remaining: 8 }]);
    const plain = (await tessera(['token', 'create', '--name', 'plain', '--scope', 'a:b', '--json', ...db])).json().token;
    expect((await tessera(['token', 'ratelimits', plain.id, ...db])).stdout).toBe(`${plain.id} has no rate limits\n`);
    const missing = await tessera(['token', 'ratelimits', 'tok_doesnotexist', ...db]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('NOT_FOUND')]);
  });
});

describe('tessera … credits (against a server)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('answers the same JSON as the API', async () => {
    const remote = ['--url', t.baseUrl, '--token', t.rootSecret];
    const made = await t.createToken({ name: 'remote', scopes: ['a:b'] });
    const set = (await tessera(['token', 'credits', 'set', made.id, '--remaining', '7', '--json', ...remote])).json();
    expect(set).toEqual({ remaining: 7, refill: null, strict: false });
    expect((await tessera(['token', 'credits', 'add', made.id, '3', '--json', ...remote])).json()).toEqual({ remaining: 10, refill: null, strict: false });
    expect((await t.request('GET', `/v1/tokens/${made.id}`, { token: t.rootSecret })).body.credits).toEqual({ remaining: 10, refill: null, strict: false });
    const identity = (await t.request('POST', '/v1/identities', { token: t.rootSecret, body: { externalId: 'remote-payer' } })).body;
    expect((await tessera(['identities', 'credits', 'set', identity.id, '--remaining', '4', '--strict', '--json', ...remote])).json()).toEqual({ remaining: 4, refill: null, strict: true });
    expect((await tessera(['identities', 'credits', 'show', identity.id, '--json', ...remote])).json()).toEqual({ remaining: 4, refill: null, strict: true });
  });

  it('shows the rate limits’ state as GET …/ratelimits answers it', async () => {
    const remote = ['--url', t.baseUrl, '--token', t.rootSecret];
    const made = await t.createToken({ name: 'remote-limited', scopes: ['a:b'], limits: [{ name: 'per-day', limit: 5, duration: '1d' }] });
    expect((await t.request('POST', '/v1/verify', { body: { token: made.secret } })).body.code).toBe('VALID');
    const api = (await t.request('GET', `/v1/tokens/${made.id}/ratelimits`, { token: t.rootSecret })).body;
    expect(api.ratelimits).toMatchObject([{ name: 'per-day', remaining: 4 }]);
    expect((await tessera(['token', 'ratelimits', made.id, '--json', ...remote])).json()).toEqual(api);
  });
});
