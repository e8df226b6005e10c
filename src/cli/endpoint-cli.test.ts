// `tessera endpoint …` and `tessera endpoint-token …` (the integration platform's), on a database (a SQLite file, or PostgreSQL
// through DATABASE_URL) and against a running server.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseArgs } from '../testing/server-process.js';
import { freshTestDatabase, startTestApp, type TestApp } from '../testing/test-app.js';
import { runTessera } from '../testing/run-tessera.js';

const integrationFile = fileURLToPath(new URL('../../examples/catalogs/integration.yaml', import.meta.url));

/** The CLI's environment: on PostgreSQL, `DATABASE_URL` of the suite's database; nothing else of this machine's. */
let env: NodeJS.ProcessEnv = {};

const tessera = (argv: string[]) => runTessera(argv, env);

let dir: string;
let db: string[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-endpoint-cli-'));
  ({ args: db, env } = databaseArgs(await freshTestDatabase(dir)));
  expect((await tessera(['init', '--json', ...db])).code).toBe(0);
  const applied = await tessera(['catalog', 'apply', integrationFile, '--json', ...db]);
  expect(applied.code, applied.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera endpoint (on the database)', () => {
  it('auth: token mode generates POST and GET primaries, --allow-delete a DELETE one, --no-allow-delete revokes it', async () => {
    const shown = await tessera(['endpoint', 'auth', 'orders', ...db]);
    expect(shown.stdout).toMatch(/mode:\s+token/); // as the catalog declares, primaries not generated yet
    const on = await tessera(['endpoint', 'auth', 'orders', '--mode', 'token', '--no-allow-delete', '--json', ...db]);
    expect(on.code, on.stderr).toBe(0);
    expect(on.json().generated.map((g: { method: string }) => g.method)).toEqual(['POST', 'GET']);
    const del = await tessera(['endpoint', 'auth', 'orders', '--allow-delete', ...db]);
    expect(del.stdout).toContain('New DELETE primary');
    expect(del.stdout).toMatch(/tsr_[A-Za-z0-9]{64}/);
    const off = await tessera(['endpoint', 'auth', 'orders', '--no-allow-delete', '--json', ...db]);
    expect(off.json().primaries.map((p: { method: string; token: { status: string } }) => `${p.method} ${p.token.status}`)).toEqual(['POST active', 'GET active']);
    const list = await tessera(['endpoint', 'list', ...db]);
    expect(list.stdout).toMatch(/orders\s+token\s+no\s+POST GET/);
  });

  it('regenerate: prints the new secret once and the overlap end', async () => {
    const res = await tessera(['endpoint', 'regenerate', 'orders', 'get', '--overlap-seconds', '30', '--json', ...db]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.json()).toMatchObject({ method: 'GET', token: { kind: 'primary', scopes: ['endpoint:orders:GET'] } });
    expect(res.json().secret).toMatch(/^tsr_[A-Za-z0-9]{64}$/);
    const none = await tessera(['endpoint', 'regenerate', 'orders', 'DELETE', ...db]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('CONFLICT');
  });

  it('endpoint-token create, list, disable/enable, assign, unassign; endpoint tokens --assigned', async () => {
    const made = await tessera(['endpoint-token', 'create', '--name', 'CRM', '--description', 'the CRM', '--assign', 'orders:POST', '--json', ...db]);
    expect(made.code, made.stderr).toBe(0);
    const id = made.json().token.token.id as string;
    expect(made.json().token.token.scopes).toEqual(['endpoint:orders:POST']);
    const other = (await tessera(['endpoint-token', 'create', '--name', 'Unassigned', '--json', ...db])).json().token.token.id as string;

    const assigned = await tessera(['endpoint', 'tokens', 'orders', '--json', ...db]);
    expect(assigned.json().items.map((i: { token: { id: string } }) => i.token.id)).toEqual([id]);
    const unassigned = await tessera(['endpoint', 'tokens', 'orders', '--assigned', 'false', ...db]);
    expect(unassigned.stdout).toContain(other);
    expect(unassigned.stdout).not.toContain(id);

    expect((await tessera(['endpoint-token', 'disable', id, ...db])).stdout).toMatch(/status:\s+disabled/);
    expect((await tessera(['endpoint-token', 'list', ...db])).stdout).not.toContain(id);
    expect((await tessera(['endpoint-token', 'list', '--status', 'inactive', ...db])).stdout).toContain(id);
    await tessera(['endpoint-token', 'enable', id, ...db]);

    const both = await tessera(['endpoint-token', 'assign', id, 'orders:GET', '--json', ...db]);
    expect(both.json().token.scopes).toEqual(['endpoint:orders:GET', 'endpoint:orders:POST']);
    const one = await tessera(['endpoint-token', 'unassign', id, 'orders:POST', ...db]);
    expect(one.stdout).toMatch(/assigned to:\s+orders:GET$/m);

    const audit = await tessera(['audit', 'list', '--action', 'endpoint.assign', '--json', ...db]);
    expect(audit.json().items.length).toBe(2);
  });

  it('refuses a malformed assignment (exit 2) and an unknown endpoint (exit 1)', async () => {
    const bad = await tessera(['endpoint-token', 'create', '--name', 'x', '--assign', 'orders', ...db]);
    expect(bad.code).toBe(2);
    const unknown = await tessera(['endpoint', 'auth', 'nope', ...db]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('NOT_FOUND');
  });
});

describe('tessera endpoint (against a server)', () => {
  let t: TestApp;
  let remote: string[];
  beforeAll(async () => {
    t = await startTestApp();
    await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: readFileSync(integrationFile, 'utf8'), format: 'yaml' } });
    remote = ['--url', t.baseUrl, '--token', t.rootSecret];
  });
  afterAll(() => t.close());

  it('drives the same verbs over HTTP', async () => {
    const on = await tessera(['endpoint', 'auth', 'customers', '--mode', 'token', '--json', ...remote]);
    expect(on.code, on.stderr).toBe(0);
    expect(on.json().mode).toBe('token');
    const made = await tessera(['endpoint-token', 'create', '--name', 'Shop', '--assign', 'customers:GET', '--json', ...remote]);
    const { secret } = made.json();
    const id = made.json().token.token.id as string;
    const check = async () =>
      (await t.request('POST', '/v1/verify', { body: { token: secret, endpoint: { method: 'GET', path: '/api/endpoints/customers' } } })).body.code;
    expect(await check()).toBe('VALID');
    await tessera(['endpoint-token', 'unassign', id, 'customers:GET', ...remote]);
    expect(await check()).toBe('INSUFFICIENT_SCOPE');
    const regenerated = await tessera(['endpoint', 'regenerate', 'customers', 'POST', '--json', ...remote]);
    expect(regenerated.json().token.kind).toBe('primary');
    expect((await tessera(['endpoint', 'tokens', 'customers', '--assigned', 'all', '--json', ...remote])).json().items.map((i: { token: { id: string } }) => i.token.id)).toContain(id);
  });
});
