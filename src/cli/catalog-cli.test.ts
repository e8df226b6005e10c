import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseArgs, runCli as runCliProcess } from '../testing/server-process.js';
import { freshTestDatabase } from '../testing/test-app.js';

const example = (name: string) => fileURLToPath(new URL(`../../examples/catalogs/${name}.yaml`, import.meta.url));

let dir: string;
let db: string[];
let env: NodeJS.ProcessEnv;
/** The built CLI on this suite's fresh database (`--db FILE` on SQLite, `DATABASE_URL` on PostgreSQL, from `db`/`env`). */
const runCli = (args: string[]) => runCliProcess(args, { TESSERA_URL: undefined, TESSERA_TOKEN: undefined, ...env });
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-catalog-cli-'));
  ({ args: db, env } = databaseArgs(await freshTestDatabase(dir)));
  expect((await runCli(['init', '--json', ...db])).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera catalog', () => {
  it('validates a good file, and reports a bad one with path and line (exit 1)', async () => {
    const ok = await runCli(['catalog', 'validate', example('messaging'), '--json', ...db]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).valid).toBe(true);
    const badFile = join(dir, 'bad.yaml');
    writeFileSync(badFile, 'version: 1\nname: bad\nendpoints:\n  - endpoint: GET /a\n    scopes: [nope:x]\n');
    const bad = await runCli(['catalog', 'validate', badFile, ...db]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/line 5: endpoints\[0\]\.scopes\[0\]/);
  });

  it('shows an empty diff first, applies versions, shows and diffs them', async () => {
    const none = await runCli(['catalog', 'show', ...db]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('NOT_FOUND');
    const firstDiff = await runCli(['catalog', 'diff', example('notifications'), '--json', ...db]);
    expect(JSON.parse(firstDiff.stdout).scopes.added).toContain('read:messages');

    const applied = await runCli(['catalog', 'apply', example('notifications'), '--json', ...db]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ version: 1, name: 'notifications' });
    const shown = await runCli(['catalog', 'show', ...db]);
    expect(shown.stdout).toContain('read:brands[:{brand_id}]');
    expect((await runCli(['catalog', 'diff', example('notifications'), ...db])).stdout.trim()).toBe('no changes');
    const toIot = await runCli(['catalog', 'diff', example('iot'), ...db]);
    expect(toIot.stdout).toContain('- scope read:messages');
    expect(toIot.stdout).toContain('+ resource device');
  });

  it('refuses a catalog that strands live tokens unless --force, and lists versions', async () => {
    const made = await runCli(['token', 'create', '--name', 'inbox', '--scope', 'user_id:pigeon', '--scope', 'read:messages', '--json', ...db]);
    expect(made.code, made.stderr).toBe(0);
    const refused = await runCli(['catalog', 'apply', example('iot'), ...db]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('CONFLICT');
    expect((await runCli(['catalog', 'apply', example('iot'), '--force', ...db])).code).toBe(0);
    const versions = await runCli(['catalog', 'versions', '--json', ...db]);
    expect(JSON.parse(versions.stdout).items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });
});
