/**
 * Issue 20 item 4: `tessera scan` through the built binary, on a generated tree with real, fake-checksum and revoked
 * tokens, and on a git repository where a token was committed and then deleted.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseArgs, runCli as runCliProcess, startServerProcess } from '../testing/server-process.js';
import { freshTestDatabase } from '../testing/test-app.js';
import type { ScanReport } from './scan-command.js';

const clean = { TESSERA_URL: undefined, TESSERA_TOKEN: undefined, TESSERA_DB: undefined, DATABASE_URL: undefined };
const runCli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliProcess(args, { ...clean, ...env });
const SLOW = { timeout: 180_000 };
const fakeChecksum = (secret: string) => secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a');

let dir: string;
let target: ReturnType<typeof databaseArgs>;
let live: { secret: string; id: string };
let revoked: { secret: string; id: string };
let root: string;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli([...args, ...target.args], target.env);
}

async function created(name: string): Promise<{ secret: string; id: string }> {
  const run = await cli(['token', 'create', '--name', name, '--scope', 'tokens:read', '--json']);
  expect(run.code, run.stderr).toBe(0);
  const body = JSON.parse(run.stdout);
  return { secret: body.secret, id: body.token.id };
}

const write = (path: string, content: string | Buffer) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-scan-'));
  target = databaseArgs(await freshTestDatabase(dir));
  const init = await cli(['init', '--json']);
  expect(init.code, init.stderr).toBe(0);
  root = JSON.parse(init.stdout).secret;
  [live, revoked] = [await created('live'), await created('revoked')];
  expect((await cli(['token', 'revoke', revoked.id])).code).toBe(0);

  const tree = join(dir, 'tree');
  write(join(tree, 'app', '.env'), `PORT=8080\nTESSERA_TOKEN=${live.secret}\n`);
  write(join(tree, 'config', 'old.json'), `{\n  "token": "${revoked.secret}"\n}\n`);
  write(join(tree, 'docs', 'example.md'), `Looks like a token, is not one: ${fakeChecksum(live.secret)}\n`);
  write(join(tree, 'node_modules', 'dep', 'index.js'), `const t = "${live.secret}";\n`);
  write(join(tree, 'logo.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), Buffer.from(live.secret)]));
  write(join(tree, 'dump.sql'), `-- ${'x'.repeat(5000)}\n${live.secret}\n`);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const report = (run: { stdout: string }) => JSON.parse(run.stdout) as ScanReport;

describe('tessera scan PATH', SLOW, () => {
  it('without a lookup: finds the real secrets only, shows hints never secrets, skips binaries, big files and node_modules, exits 1', async () => {
    const run = await runCli(['scan', join(dir, 'tree'), '--max-file-size', '4096', '--json']);
    expect(run.code, run.stderr).toBe(1);
    const result = report(run);
    expect(result.findings.map((f) => [f.file.slice(dir.length + 1), f.line, f.column, f.status, f.live])).toEqual([
      ['tree/app/.env', 2, 15, null, true],
      ['tree/config/old.json', 2, 13, null, true],
    ]);
    expect(result.findings[0]!.hint).toBe(`tsr_${live.secret.slice(4, 8)}…${live.secret.slice(-4)}`);
    expect(result.skipped.map((s) => [s.file.slice(dir.length + 1), s.reason]).sort()).toEqual([['tree/dump.sql', 'too_large'], ['tree/logo.png', 'binary']]);
    for (const secret of [live.secret, revoked.secret]) {
      expect(run.stdout).not.toContain(secret);
      expect(run.stdout).not.toContain(secret.slice(8, 40));
    }
    const text = await runCli(['scan', join(dir, 'tree', 'app')]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`app/.env:2:15`);
    expect(text.stdout).not.toContain(live.secret);
  });

  it('with the database: names each token and its status; only a live one makes exit 1', async () => {
    const run = await cli(['scan', join(dir, 'tree'), '--include-node-modules', '--json']);
    expect(run.code, run.stderr).toBe(1);
    const result = report(run);
    expect(result.findings.map((f) => [f.file.slice(dir.length + 1), f.tokenId, f.status, f.live])).toEqual([
      ['tree/app/.env', live.id, 'active', true],
      ['tree/config/old.json', revoked.id, 'revoked', false],
      ['tree/dump.sql', live.id, 'active', true],
      ['tree/node_modules/dep/index.js', live.id, 'active', true],
    ]);
    const onlyRevoked = await cli(['scan', join(dir, 'tree', 'config'), '--json']);
    expect(onlyRevoked.code).toBe(0);
    expect(report(onlyRevoked).live).toBe(0);
  });

  it('through a server with --url and --token: the same answers', async () => {
    const server = await startServerProcess(target.args[1] ?? target.env.DATABASE_URL!, { LOG_LEVEL: 'warn' });
    try {
      const run = await runCli(['scan', join(dir, 'tree'), '--json', '--url', server.url, '--token', root]);
      expect(run.code, run.stderr).toBe(1);
      expect(report(run).findings.map((f) => [f.tokenId, f.status])).toEqual([[live.id, 'active'], [revoked.id, 'revoked'], [live.id, 'active']]);
    } finally {
      await server.stop();
    }
  });

  it('exits 2 for wrong usage: a missing path, --token without --url, --url without a token', async () => {
    expect((await runCli(['scan', join(dir, 'nowhere')])).code).toBe(2);
    expect((await runCli(['scan', dir, '--token', root])).code).toBe(2);
    expect((await runCli(['scan', dir, '--url', 'http://127.0.0.1:9'])).code).toBe(2);
    expect((await runCli(['scan', dir, '--max-file-size', 'big'])).code).toBe(2);
  });
});

describe('tessera scan --git', SLOW, () => {
  let repo: string;
  let added: string;

  beforeAll(() => {
    repo = join(dir, 'repo');
    mkdirSync(repo);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd: repo }).toString().trim();
    git('init', '-q');
    write(join(repo, 'README.md'), '# app\n');
    git('add', '.');
    git('commit', '-qm', 'start');
    write(join(repo, 'deploy', 'settings.yaml'), `name: app\nreplicas: 2\ntoken: ${live.secret}\n`);
    write(join(repo, 'notes.txt'), `fake: ${fakeChecksum(live.secret)}\n`);
    git('add', '.');
    git('commit', '-qm', 'add settings');
    added = git('rev-parse', 'HEAD');
    git('rm', '-q', 'deploy/settings.yaml');
    git('commit', '-qm', 'remove the token');
  });

  it('finds a token committed then deleted, with the commit that added it; the working tree alone is clean', async () => {
    const run = await cli(['scan', '--git', repo, '--json']);
    expect(run.code, run.stderr).toBe(1);
    expect(report(run).findings).toEqual([
      { file: 'deploy/settings.yaml', line: 3, column: 8, commit: added, hint: expect.stringMatching(/^tsr_/), tokenId: live.id, status: 'active', live: true },
    ]);
    expect(run.stdout).not.toContain(live.secret);
    const tree = await runCli(['scan', repo, '--json']);
    expect(tree.code).toBe(0);
    expect(report(tree).findings).toEqual([]);
  });

  it('exits 2 for a directory that is not a repository', async () => {
    const run = await runCli(['scan', '--git', join(dir, 'tree')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not a git repository/i);
  });
});
