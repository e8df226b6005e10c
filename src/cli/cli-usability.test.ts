/**
 * What a person expects of the built `tessera` binary: --version, an example under every --help, catalog validation
 * without a database, tokens from permission sets, and the account policy through the file and through a server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseArgs, runCli as runCliProcess, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { freshTestDatabase } from '../testing/test-app.js';
import { commandPaths } from './help-examples.js';
import { buildProgram } from './program.js';

const example = (name: string) => fileURLToPath(new URL(`../../examples/catalogs/${name}.yaml`, import.meta.url));
const clean = { TESSERA_URL: undefined, TESSERA_TOKEN: undefined, TESSERA_DB: undefined, DATABASE_URL: undefined };
const runCli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliProcess(args, { ...clean, ...env });
/** Every test starts several processes; a loaded 2-core machine needs seconds for each. */
const SLOW = { timeout: 180_000 };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-cli-usability-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera --version and --help', SLOW, () => {
  it('prints the package version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('shows an example under --help of every command', async () => {
    const io = { stdout: () => {}, stderr: () => {}, env: {}, exitCode: 0 };
    const paths = commandPaths(buildProgram(io));
    expect(paths).toEqual(expect.arrayContaining(['token create', 'account policy set', 'catalog validate']));
    // A few at a time: each is a process start.
    for (let i = 0; i < paths.length; i += 8) {
      const runs = await Promise.all(paths.slice(i, i + 8).map(async (path) => ({ path, run: await runCli([...path.split(' ').filter(Boolean), '--help']) })));
      for (const { path, run } of runs) {
        expect(run.code, path).toBe(0);
        expect(run.stdout, path).toMatch(new RegExp(`Examples?:\\n  \\$ tessera ${path.replace(/[-]/g, '\\-')}`));
      }
    }
  });
});

describe('tessera catalog validate without a database', SLOW, () => {
  it('checks a file when no database exists, creating none', async () => {
    const db = join(dir, 'never-created.db');
    const ok = await runCli(['catalog', 'validate', example('messaging'), '--db', db]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('valid');
    expect(ok.stdout).toContain('checked alone');
    const json = await runCli(['catalog', 'validate', example('iot'), '--json'], { TESSERA_DB: db });
    expect(JSON.parse(json.stdout)).toEqual({ valid: true, errors: [], tokensWithUnknownPermissions: [] });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nname: bad\nendpoints:\n  - endpoint: GET /a\n    scopes: [nope:x]\n');
    const refused = await runCli(['catalog', 'validate', bad, '--db', db]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/line 5: endpoints\[0\]\.scopes\[0\]/);
    const missing = await runCli(['catalog', 'validate', join(dir, 'nope.yaml'), '--db', db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/file: cannot read .*nope\.yaml: ENOENT/);
    expect((await runCli(['token', 'list', '--db', db])).stderr).toContain('tessera init');
  });
});

describe('templates and the account policy', SLOW, () => {
  let db: string[];
  let env: NodeJS.ProcessEnv;
  let server: ServerProcess | undefined;
  let remote: string[];

  beforeAll(async () => {
    ({ args: db, env } = databaseArgs(await freshTestDatabase(dir, 'policy.db')));
    env = { ...clean, ...env };
    expect((await runCli(['init', '--json', ...db], env)).code).toBe(0);
    expect((await runCli(['catalog', 'apply', example('messaging'), ...db], env)).code).toBe(0);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('token create --template grants the permission sets (repeatable), and names an unknown one', async () => {
    const made = await runCli(['token', 'create', '--name', 'sms', '--template', 'two-way-sms', '--template', 'send-all-channels', '--json', ...db], env);
    expect(made.code, made.stderr).toBe(0);
    const { token } = JSON.parse(made.stdout);
    expect(token.templates).toEqual(['two-way-sms', 'send-all-channels']);
    expect(token.scopes).toEqual(expect.arrayContaining(['sms:message:send', 'sms:logs:read', 'message:send']));
    const unknown = await runCli(['token', 'create', '--name', 'x', '--template', 'nope', ...db], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/templates\[0\].*unknown template nope/);
  });

  it('account policy show and set on the database file; bad values are refused naming the flag', async () => {
    const shown = await runCli(['account', 'policy', 'show', '--json', ...db], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ permissionsEditable: false, maxLifetimeSeconds: null });
    const set = await runCli(['account', 'policy', 'set', '--permissions-editable', 'true', '--max-lifetime', '90d', ...db], env);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/permissions editable:\s+true/);
    expect(set.stdout).toMatch(/max lifetime:\s+7776000s \(90 days\)/);
    const account = JSON.parse((await runCli(['account', 'show', '--json', ...db], env)).stdout);
    expect(account.policy).toMatchObject({ permissionsEditable: true, maxLifetimeSeconds: 7_776_000, allowQueryToken: false });
    const audit = JSON.parse((await runCli(['audit', 'list', '--action', 'account.update', '--json', ...db], env)).stdout);
    expect(audit.items[0].after.policy.maxLifetimeSeconds).toBe(7_776_000);

    for (const [args, message] of [
      [['--permissions-editable', 'yes'], /--permissions-editable: expected true or false, got yes/],
      [['--max-lifetime', '30s'], /--max-lifetime: expected a duration of at least 60s/],
      [['--max-lifetime', 'soon'], /--max-lifetime: .*got soon/],
      [[], /give at least one of --permissions-editable/],
    ] as const) {
      const run = await runCli(['account', 'policy', 'set', ...args, ...db], env);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    expect(JSON.parse((await runCli(['account', 'policy', 'show', '--json', ...db], env)).stdout).maxLifetimeSeconds).toBe(7_776_000);
  });

  it('account policy set and show through a running server (--url), which applies it at once', async () => {
    const database = env.DATABASE_URL ?? db[1]!;
    // Not `clean`: its DATABASE_URL would hide the one databaseArgs gives the server on PostgreSQL.
    server = await startServerProcess(database, { TESSERA_URL: undefined, TESSERA_TOKEN: undefined, LOG_LEVEL: 'warn' });
    const root = JSON.parse((await runCli(['token', 'create', '--name', 'admin', '--scope', '*', '--json', ...db], env)).stdout).secret as string;
    remote = ['--url', server.url, '--token', root];
    const set = await runCli(['account', 'policy', 'set', '--max-lifetime', 'none', '--allow-query-token', 'true', '--json', ...remote]);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ maxLifetimeSeconds: null, allowQueryToken: true, permissionsEditable: true });
    const viaQuery = await fetch(`${server.url}/v1/account?access_token=${root}`);
    expect(viaQuery.status).toBe(200);
    const narrow = JSON.parse((await runCli(['token', 'create', '--name', 'reader', '--scope', 'tokens:read', '--json', ...remote])).stdout).secret as string;
    const forbidden = await runCli(['account', 'policy', 'set', '--allow-query-token', 'false', '--url', server.url, '--token', narrow]);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain('FORBIDDEN');
    expect(JSON.parse((await runCli(['account', 'policy', 'show', '--json', ...remote])).stdout).allowQueryToken).toBe(true);
  });
});
