// `tessera identities …` on a database (a SQLite file, or PostgreSQL through DATABASE_URL) and against a running server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCliDatabase } from '../testing/cli-database.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { runTessera } from '../testing/run-tessera.js';

let env: NodeJS.ProcessEnv = {};

const tessera = (argv: string[]) => runTessera(argv, env);

let db: string[];
let remove = () => {};
beforeAll(async () => {
  ({ args: db, env, remove } = await initCliDatabase('tessera-identity-cli-'));
});
afterAll(() => remove());

describe('tessera identities (on the database)', () => {
  it('creates, lists, updates and deletes, with rate limits as name=limit/duration', async () => {
    const made = await tessera(['identities', 'create', '--external-id', 'cust-9', '--name', 'Nine', '--rate-limit', 'per-minute=100/1m', '--rate-limit', 'per-day=5000/86400', '--json', ...db]);
    expect(made.code, made.stderr).toBe(0);
    const identity = made.json();
    expect(identity).toMatchObject({ externalId: 'cust-9', name: 'Nine', limits: [{ name: 'per-minute', limit: 100, duration: 60 }, { name: 'per-day', limit: 5000, duration: 86_400 }] });
    const listed = await tessera(['identities', 'list', ...db]);
    expect(listed.stdout).toMatch(new RegExp(`${identity.id}\\s+cust-9\\s+Nine\\s+per-minute=100/60s per-day=5000/86400s`));
    const cleared = await tessera(['identities', 'update', identity.id, '--no-rate-limits', '--json', ...db]);
    expect(cleared.json()).toMatchObject({ limits: [], version: 2 });
    const gone = await tessera(['identities', 'delete', identity.id, ...db]);
    expect(gone.stdout).toBe(`deleted ${identity.id}; tokens detached: none\n`);
    expect((await tessera(['identities', 'show', identity.id, ...db])).code).not.toBe(0);
  });

  it('token create|update take --identity and --rate-limit; verify then tells the identity and the limits', async () => {
    const identity = (await tessera(['identities', 'create', '--external-id', 'owner', '--json', ...db])).json();
    const made = await tessera(['token', 'create', '--name', 'owned', '--scope', 'a:b', '--identity', identity.id, '--rate-limit', 'per-minute=2/60', '--json', ...db]);
    expect(made.code, made.stderr).toBe(0);
    const { token, secret } = made.json();
    expect(token).toMatchObject({ identityId: identity.id, limits: [{ name: 'per-minute', limit: 2, duration: 60 }] });
    const checked = await tessera(['verify', secret, '--json', ...db]);
    expect(checked.json()).toMatchObject({ code: 'VALID', identity: { id: identity.id, externalId: 'owner' } });
    const detached = await tessera(['token', 'update', token.id, '--identity', 'none', '--json', ...db]);
    expect(detached.json()).toMatchObject({ identityId: null, limits: [{ name: 'per-minute' }] });
  });

  it('refuses a malformed --rate-limit naming the flag, and a bad limit naming the field', async () => {
    const malformed = await tessera(['identities', 'create', '--external-id', 'x', '--rate-limit', 'lots', ...db]);
    expect([malformed.code, malformed.stderr]).toEqual([2, expect.stringContaining('--rate-limit')]);
    const bad = await tessera(['identities', 'create', '--external-id', 'x', '--rate-limit', 'a b=1/1m', ...db]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('limits[0].name');
    expect((await tessera(['identities', 'update', 'idn_x', ...db])).stderr).toContain('give at least one');
  });
});

describe('tessera identities (against a server)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('answers the same JSON as the API', async () => {
    const remote = ['--url', t.baseUrl, '--token', t.rootSecret];
    const made = (await tessera(['identities', 'create', '--external-id', 'remote-1', '--json', ...remote])).json();
    expect((await t.request('GET', `/v1/identities/${made.id}`, { token: t.rootSecret })).body).toEqual(made);
    expect((await tessera(['identities', 'list', '--external-id', 'remote-1', '--json', ...remote])).json().items).toEqual([made]);
  });
});
