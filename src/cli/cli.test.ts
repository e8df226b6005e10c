/**
 * The built `tessera` binary, run as a user would: on a fresh database of the test project's backend (a SQLite file
 * with `--db`, or a PostgreSQL database through `DATABASE_URL`), then against a running server.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseArgs, withoutUndefined } from '../testing/server-process.js';
import { freshTestDatabase, rawQuery } from '../testing/test-app.js';
import { currentTestStore } from '../testing/test-stores.js';

const BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');
const SECRET = /^tsr_[A-Za-z0-9]{64}$/;
const RUN_TIMEOUT_MS = 20_000;
const BANNER_TIMEOUT_MS = 15_000;

/** The environment without any Tessera settings of the machine running the tests. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['TESSERA_DB', 'TESSERA_URL', 'TESSERA_TOKEN', 'DATABASE_URL', 'PORT', 'HOST']) delete env[key];
  return withoutUndefined({ ...env, ...extra });
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function tessera(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: cleanEnv(env), timeout: RUN_TIMEOUT_MS }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Runs with `--json`, expects exit 0 (unless told) and exactly one JSON document on stdout. */
async function json<T = any>(args: string[], options: { code?: number; env?: NodeJS.ProcessEnv } = {}): Promise<T> {
  const run = await tessera([...args, '--json'], options.env);
  expect(run.code, `tessera ${args.join(' ')}: ${run.stderr}`).toBe(options.code ?? 0);
  return JSON.parse(run.stdout) as T;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tessera-cli-'));
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
});

// Each step starts a process (about half a second, more on a busy machine), so steps get a generous bound.
const SLOW = { timeout: 90_000 };

describe('local mode, on a fresh database', SLOW, () => {
  const dir = tempDir();
  /** The database (file or URL), and how the CLI is pointed at it: `db` flags (none on PostgreSQL) and `env`. */
  let database = '';
  let db: string[] = [];
  let env: NodeJS.ProcessEnv = {};
  beforeAll(async () => {
    database = await freshTestDatabase(dir);
    ({ args: db, env } = databaseArgs(database));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to work on a database that was never initialised', async () => {
    const run = await tessera(['token', 'list', ...db], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: NOT_FOUND: .*run tessera init first/);
    if (currentTestStore() === 'sqlite') expect(existsSync(database)).toBe(false);
    else expect(await rawQuery(database, 'select id from accounts')).toEqual([]);
  });

  it('init --json creates the account and root token once; a second init fails', async () => {
    const init = await json(['init', ...db], { env });
    expect(init.accountId).toMatch(/^acc_/);
    expect(init.secret).toMatch(SECRET);
    expect(init.token).toMatchObject({ name: 'root', scopes: ['*'], status: 'active' });
    expect(JSON.stringify(init.token)).not.toContain(init.secret);

    const again = await tessera(['init', ...db], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/^error: CONFLICT: .*already initialised/);
  });

  let ci: { id: string; secret: string };

  it('token create --json gives the token and its secret', async () => {
    const created = await json([
      'token', 'create', ...db, '--name', 'ci deploy', '--id', 'ci_deploy', '--description', 'pipeline',
      '--profile-id', 'robot', '--scope', 'tokens:read', '--scope', 'audit:read', '--deny', 'audit:read',
      '--allowed-ip', '10.0.0.0/8', '--allowed-ip', '127.0.0.1', '--metadata', '{"team":"ops"}',
    ], { env });
    expect(created.secret).toMatch(SECRET);
    expect(created.token).toMatchObject({
      id: 'ci_deploy', name: 'ci deploy', description: 'pipeline', profileId: 'robot',
      scopes: ['tokens:read', 'audit:read'], deny: ['audit:read'], allowedIps: ['10.0.0.0/8', '127.0.0.1'],
      metadata: { team: 'ops' }, status: 'active',
    });
    ci = { id: created.token.id, secret: created.secret };
  });

  it('token create in text mode prints the secret alone on its line, once', async () => {
    const run = await tessera(['token', 'create', ...db, '--name', 'texty', '--scope', 'tokens:read'], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.at(-2)).toMatch(/shown once, store it now/);
    expect(lines.at(-1)).toMatch(SECRET);
    expect(run.stdout.split(lines.at(-1)!).length).toBe(2);
  });

  it('token list, show and update', async () => {
    const page = await json(['token', 'list', ...db], { env });
    expect(page.items.map((t: { name: string }) => t.name)).toEqual(['texty', 'ci deploy', 'root']);
    expect(page.nextCursor).toBeNull();

    const first = await json(['token', 'list', ...db, '--limit', '2'], { env });
    expect(first.items).toHaveLength(2);
    const rest = await json(['token', 'list', ...db, '--limit', '2', '--cursor', first.nextCursor], { env });
    expect(rest.items.map((t: { name: string }) => t.name)).toEqual(['root']);

    const found = await json(['token', 'list', ...db, '--search', 'DEPLOY'], { env });
    expect(found.items.map((t: { id: string }) => t.id)).toEqual([ci.id]);

    const table = await tessera(['token', 'list', ...db], env);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+STATUS\s+HINT\s+SCOPES\s+EXPIRES\s+LAST USED$/);
    expect(table.stdout).toMatch(/ci_deploy\s+ci deploy\s+active\s+tsr_/);

    const shown = await json(['token', 'show', ci.id, ...db], { env });
    expect(shown).toMatchObject({ id: ci.id, version: 1 });
    const text = await tessera(['token', 'show', ci.id, ...db], env);
    expect(text.stdout).toMatch(/^id:\s+ci_deploy$/m);
    expect(text.stdout).toMatch(/^scopes:\s+tokens:read audit:read$/m);

    const updated = await json([
      'token', 'update', ci.id, ...db, '--name', 'ci', '--expires-at', '2099-01-01T00:00:00Z', '--allowed-ip', '127.0.0.1',
    ], { env });
    expect(updated).toMatchObject({ name: 'ci', expiresAt: '2099-01-01T00:00:00.000Z', allowedIps: ['127.0.0.1'], version: 2 });
    const cleared = await json(['token', 'update', ci.id, ...db, '--expires-at', 'none', '--description', ''], { env });
    expect(cleared).toMatchObject({ name: 'ci', expiresAt: null, description: null });
  });

  it('verify answers VALID, and INSUFFICIENT_SCOPE (exit 1) for a scope the token lacks', async () => {
    const ok = await json(['verify', ci.secret, ...db, '--scope', 'tokens:read', '--ip', '127.0.0.1'], { env });
    expect(ok).toMatchObject({ valid: true, code: 'VALID', tokenId: ci.id, profileId: 'robot', metadata: { team: 'ops' } });

    const lacking = await json(['verify', ci.secret, ...db, '--scope', 'tokens:create', '--ip', '127.0.0.1'], { code: 1, env });
    expect(lacking).toMatchObject({ valid: false, code: 'INSUFFICIENT_SCOPE', missingScopes: ['tokens:create'] });

    const denied = await json(['verify', ci.secret, ...db, '--scope', 'audit:read', '--ip', '127.0.0.1'], { code: 1, env });
    expect(denied.code).toBe('INSUFFICIENT_SCOPE');
    expect((await json(['verify', ci.secret, ...db, '--ip', '192.0.2.1'], { code: 1, env })).code).toBe('IP_NOT_ALLOWED');
    expect((await json(['verify', `tsr_${'a'.repeat(64)}`, ...db], { code: 1, env })).code).toBe('NOT_FOUND');
  });

  it('disable makes verify say DISABLED; enable restores it', async () => {
    expect(await json(['token', 'disable', ci.id, ...db], { env })).toMatchObject({ enabled: false, status: 'disabled' });
    expect((await json(['verify', ci.secret, ...db, '--ip', '127.0.0.1'], { code: 1, env })).code).toBe('DISABLED');
    expect(await json(['token', 'enable', ci.id, ...db], { env })).toMatchObject({ enabled: true, status: 'active' });
    expect((await json(['verify', ci.secret, ...db, '--ip', '127.0.0.1'], { env })).code).toBe('VALID');
  });

  it('rotate: the old secret stops at once, or after --overlap-seconds', async () => {
    const rotated = await json(['token', 'rotate', ci.id, ...db], { env });
    expect(rotated.secret).toMatch(SECRET);
    expect(rotated.token.id).toBe(ci.id);
    expect((await json(['verify', ci.secret, ...db, '--ip', '127.0.0.1'], { code: 1, env })).code).toBe('NOT_FOUND');
    expect((await json(['verify', rotated.secret, ...db, '--ip', '127.0.0.1'], { env })).code).toBe('VALID');

    const overlapped = await json(['token', 'rotate', ci.id, ...db, '--overlap-seconds', '300'], { env });
    expect(Date.parse(overlapped.previousSecretExpiresAt)).toBeGreaterThan(Date.now() + 200_000);
    expect((await json(['verify', rotated.secret, ...db, '--ip', '127.0.0.1'], { env })).code).toBe('VALID');
    expect((await json(['verify', overlapped.secret, ...db, '--ip', '127.0.0.1'], { env })).code).toBe('VALID');

    const text = await tessera(['token', 'rotate', ci.id, ...db], env);
    expect(text.stdout).toMatch(/shown once, store it now\):\ntsr_[A-Za-z0-9]{64}\n$/);
    ci.secret = text.stdout.trimEnd().split('\n').at(-1)!;
  });

  it('revoke is final: verify says REVOKED and enable is refused', async () => {
    const revoked = await json(['token', 'revoke', ci.id, ...db], { env });
    expect(revoked).toMatchObject({ token: { id: ci.id, status: 'revoked' }, cascaded: [] });
    expect((await json(['verify', ci.secret, ...db, '--ip', '127.0.0.1'], { code: 1, env })).code).toBe('REVOKED');
    const enable = await tessera(['token', 'enable', ci.id, ...db], env);
    expect(enable.code).toBe(1);
    expect(enable.stderr).toMatch(/^error: [A-Z_]+: /);
  });

  it('delete takes several ids, all or nothing', async () => {
    const { token: other } = await json(['token', 'create', ...db, '--name', 'doomed', '--scope', 'tokens:read'], { env });
    const refused = await tessera(['token', 'delete', ci.id, other.id, 'no_such_token', ...db], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: NOT_FOUND: ids: nothing was deleted; .*no_such_token/);
    expect((await json(['token', 'show', ci.id, ...db], { env })).id).toBe(ci.id);

    expect(await json(['token', 'delete', ci.id, other.id, ...db], { env })).toMatchObject({ deleted: [ci.id, other.id] });
    const gone = await tessera(['token', 'show', ci.id, ...db], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: NOT_FOUND: /);
  });

  it('audit list --json shows the actions taken, newest first, with filters', async () => {
    const page = await json(['audit', 'list', ...db, '--limit', '200'], { env });
    const actions = page.items.map((e: { action: string }) => e.action);
    for (const action of ['account.create', 'token.create', 'token.update', 'token.disable', 'token.enable', 'token.rotate', 'token.revoke', 'token.delete']) {
      expect(actions).toContain(action);
    }
    const seqs = page.items.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(JSON.stringify(page)).not.toMatch(/tsr_[A-Za-z0-9]{64}/);

    const revokes = await json(['audit', 'list', ...db, '--action', 'token.revoke', '--token-id', ci.id], { env });
    expect(revokes.items).toHaveLength(1);
    expect(revokes.items[0]).toMatchObject({ action: 'token.revoke', targetId: ci.id, actor: null });
  });

  it('bad input names the field and exits 1; a wrongly called command exits 2', async () => {
    const expiry = await tessera(['token', 'create', ...db, '--name', 'x', '--scope', 'a:b', '--expires-at', 'tomorrow'], env);
    expect(expiry).toMatchObject({ code: 1, stdout: '' });
    expect(expiry.stderr).toMatch(/^error: BAD_REQUEST: expiresAt: /);

    const metadata = await tessera(['token', 'create', ...db, '--name', 'x', '--scope', 'a:b', '--metadata', '{oops'], env);
    expect(metadata.code).toBe(1);
    expect(metadata.stderr).toMatch(/^error: BAD_REQUEST: metadata: /);

    const limit = await tessera(['token', 'list', ...db, '--limit', 'many'], env);
    expect(limit.code).toBe(1);
    expect(limit.stderr).toMatch(/^error: BAD_REQUEST: limit: /);

    expect((await tessera(['token', 'create', ...db, '--scope', 'a:b'], env)).code).toBe(2);
    expect((await tessera(['token', 'list', ...db, '--status', 'sometimes'], env)).code).toBe(2);
    expect((await tessera(['token', 'frobnicate'], env)).code).toBe(2);
    expect((await tessera(['token', 'list', '--url', 'http://127.0.0.1:9'], env)).stderr).toMatch(/--token/);
  });

  it('audit verify passes, then exits 1 once an event was edited in the database', async () => {
    expect(await json(['audit', 'verify', ...db], { env })).toMatchObject({ ok: true });
    const [row] = await rawQuery<{ seq: number; after: string }>(
      database, `select seq, "after" from audit_events where action = 'token.create' order by seq limit 1`);
    const forged = { ...JSON.parse(row!.after), scopes: ['*'], name: 'forged' };
    await rawQuery(database, `update audit_events set "after" = $1 where seq = $2`, [JSON.stringify(forged), row!.seq]);
    const broken = await json(['audit', 'verify', ...db], { code: 1, env });
    expect(broken).toMatchObject({ ok: false, problem: 'HASH_MISMATCH' });
    const text = await tessera(['audit', 'verify', ...db], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/BROKEN/);
  });
});

interface Server {
  child: ChildProcess;
  url: string;
  banner: string;
  rootSecret: string | undefined;
}

/** Starts `tessera serve` on `database` (file or URL) on a port the OS picks, and waits (bounded) for the banner on stderr. */
function serve(database: string, extra: string[] = []): Promise<Server> {
  const target = databaseArgs(database);
  const child = spawn(process.execPath, [BIN, 'serve', ...target.args, '--port', '0', '--log-level', 'warn', ...extra], {
    env: cleanEnv(target.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((done, fail) => {
    let banner = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`no banner within ${BANNER_TIMEOUT_MS} ms; stderr so far:\n${banner}`));
    }, BANNER_TIMEOUT_MS);
    child.stdout.resume();
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      banner += chunk;
      const url = /Tessera listening on (http:\/\/\S+)|"url":"(http:[^"]+)"/.exec(banner)?.slice(1).find(Boolean);
      // The banner is written in one piece: once a full line is in, so is the root token (if any).
      if (!url || !banner.includes('\n')) return;
      clearTimeout(timer);
      done({ child, url, banner, rootSecret: /(tsr_[A-Za-z0-9]{64})/.exec(banner)?.[1] });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`tessera serve exited with ${code} before listening:\n${banner}`));
    });
  });
}

/** Sends SIGTERM and resolves with the exit code; SIGKILL if it does not stop in time. */
function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done(code);
    });
    child.kill('SIGTERM');
  });
}

describe('serve', SLOW, () => {
  const dir = tempDir();
  const started: ChildProcess[] = [];
  afterAll(async () => {
    await Promise.all(started.map(stop));
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the URL and, on the first start of an empty database only, the root token', async () => {
    const database = await freshTestDatabase(dir, 'served.db');
    const first = await serve(database);
    started.push(first.child);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.rootSecret).toMatch(SECRET);
    expect(first.banner).toMatch(/shown only now/);
    expect((await fetch(`${first.url}/v1/tokens`, { headers: { authorization: `Bearer ${first.rootSecret}` } })).status).toBe(200);
    expect(await stop(first.child)).toBe(0);

    const second = await serve(database);
    started.push(second.child);
    expect(second.rootSecret).toBeUndefined();
    expect(second.banner).not.toMatch(/tsr_/);
    expect(await stop(second.child)).toBe(0);
  });

  it('--json writes the banner as one JSON line on stderr', async () => {
    const fresh = await serve(await freshTestDatabase(dir, 'json.db'), ['--json']);
    started.push(fresh.child);
    const banner = JSON.parse(fresh.banner.split('\n')[0]!);
    expect(banner).toMatchObject({ url: fresh.url, docsUrl: `${fresh.url}/docs`, bootstrap: { token: { name: 'root' } } });
    expect(banner.bootstrap.secret).toMatch(SECRET);
    expect(await stop(fresh.child)).toBe(0);
  });
});

describe('remote mode, against a running server', SLOW, () => {
  const dir = tempDir();
  let server: Server | undefined;
  let remote: string[] = [];
  beforeAll(async () => {
    server = await serve(await freshTestDatabase(dir, 'remote.db'));
    remote = ['--url', server.url, '--token', server.rootSecret!];
  });
  afterAll(async () => {
    if (server) await stop(server.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, lists, verifies and revokes through the HTTP API, printing the same shapes', async () => {
    const created = await json(['token', 'create', ...remote, '--name', 'remote', '--scope', 'tokens:read', '--metadata', '{"a":1}']);
    expect(created.secret).toMatch(SECRET);
    expect(created.token).toMatchObject({ name: 'remote', scopes: ['tokens:read'], metadata: { a: 1 } });

    const page = await json(['token', 'list', ...remote]);
    expect(page.items.map((t: { name: string }) => t.name)).toEqual(['remote', 'root']);
    expect(await json(['token', 'show', created.token.id, ...remote])).toMatchObject({ id: created.token.id });

    const verified = await json(['verify', created.secret, ...remote, '--scope', 'tokens:read']);
    expect(verified).toMatchObject({ valid: true, code: 'VALID', tokenId: created.token.id, metadata: { a: 1 } });
    expect((await json(['verify', created.secret, ...remote, '--scope', 'tokens:create'], { code: 1 })).code).toBe('INSUFFICIENT_SCOPE');

    const rotated = await json(['token', 'rotate', created.token.id, ...remote, '--overlap-seconds', '60']);
    expect(rotated.secret).toMatch(SECRET);
    expect(await json(['token', 'disable', created.token.id, ...remote])).toMatchObject({ status: 'disabled' });
    expect(await json(['token', 'revoke', created.token.id, ...remote])).toMatchObject({ token: { status: 'revoked' } });
    expect((await json(['verify', rotated.secret, ...remote], { code: 1 })).code).toBe('REVOKED');
    expect(await json(['token', 'delete', created.token.id, ...remote])).toMatchObject({ deleted: [created.token.id] });

    const audit = await json(['audit', 'list', ...remote, '--action', 'token.revoke']);
    expect(audit.items.map((e: { targetId: string }) => e.targetId)).toEqual([created.token.id]);
    expect(await json(['audit', 'verify', ...remote])).toMatchObject({ ok: true });
  });

  it('reads TESSERA_URL and TESSERA_TOKEN from the environment', async () => {
    const page = await json(['token', 'list'], { env: { TESSERA_URL: server!.url, TESSERA_TOKEN: server!.rootSecret! } });
    expect(page.items.map((t: { name: string }) => t.name)).toContain('root');
  });

  it('turns the error envelope into the same CLI error as local mode', async () => {
    const missing = await tessera(['token', 'show', 'no_such_token', ...remote]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^error: NOT_FOUND: /);

    const expiry = await tessera(['token', 'create', ...remote, '--name', 'x', '--scope', 'a:b', '--expires-at', 'tomorrow']);
    expect(expiry.code).toBe(1);
    expect(expiry.stderr).toMatch(/^error: BAD_REQUEST: expiresAt/);

    const badToken = await tessera(['token', 'list', '--url', server!.url, '--token', `tsr_${'b'.repeat(64)}`]);
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/^error: UNAUTHORIZED: /);
    expect(badToken.stderr).not.toContain('b'.repeat(64));

    const unreachable = await tessera(['token', 'list', '--url', 'http://127.0.0.1:9', '--token', server!.rootSecret!]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error: SERVICE_UNAVAILABLE: cannot reach/);
  });
});
