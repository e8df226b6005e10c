/** `tessera keys rotate`, run as the built binary: on a database (file, or PostgreSQL URL), and against a running server. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseArgs, withoutUndefined } from '../testing/server-process.js';
import { freshTestDatabase, startTestApp, type TestApp } from '../testing/test-app.js';

const BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');

function tessera(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const key of ['TESSERA_DB', 'TESSERA_URL', 'TESSERA_TOKEN', 'DATABASE_URL']) delete env[key];
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: withoutUndefined({ ...env, ...extraEnv }), timeout: 20_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const SLOW = { timeout: 60_000 };

describe('tessera keys rotate', SLOW, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-keys-'));
  let db: string[] = [];
  let env: NodeJS.ProcessEnv = {};
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    ({ args: db, env } = databaseArgs(await freshTestDatabase(dir)));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on the database: adds a key, retires the previous one, audits key.rotate', async () => {
    expect((await tessera(['init', ...db, '--json'], env)).code).toBe(0);
    const first = await tessera(['keys', 'rotate', ...db, '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    const one = JSON.parse(first.stdout);
    expect(one).toMatchObject({ key: { alg: 'EdDSA', retiredAt: null }, retired: [] });
    const two = JSON.parse((await tessera(['keys', 'rotate', ...db, '--alg', 'ES256', '--json'], env)).stdout);
    expect(two.key.alg).toBe('ES256');
    expect(two.retired.map((k: { kid: string }) => k.kid)).toEqual([one.key.kid]);
    const human = await tessera(['keys', 'rotate', ...db], env);
    expect(human.stdout).toContain(`retired ${two.key.kid}: verifies until`);
    const audit = JSON.parse((await tessera(['audit', 'list', ...db, '--action', 'key.rotate', '--json'], env)).stdout);
    expect(audit.items).toHaveLength(3);
  });

  it('against a running server, with the same JSON; refused without account:manage', async () => {
    const run = await tessera(['keys', 'rotate', '--url', t.baseUrl, '--token', t.rootSecret, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).key.kid).toMatch(/^key_/);
    const weak = await t.createToken({ name: 'weak', scopes: ['tokens:read'] });
    const refused = await tessera(['keys', 'rotate', '--url', t.baseUrl, '--token', weak.secret]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: FORBIDDEN: /);
  });
});
