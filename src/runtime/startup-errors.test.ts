/**
 * A database file the server cannot use stops `tessera serve` (and every local CLI command) with one line naming
 * the file and the cause, no stack trace, and a non-zero exit status. Runs the built binary.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runCli } from '../testing/server-process.js';
import { rawQuery } from '../testing/test-app.js';

const SLOW = { timeout: 90_000 };
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-startup-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clean = { TESSERA_URL: undefined, TESSERA_TOKEN: undefined, TESSERA_DB: undefined, DATABASE_URL: undefined };

/** `tessera serve` on `file`: it must exit by itself (a start that succeeded would keep running until the timeout). */
async function serve(file: string) {
  return runCli(['serve', '--db', file, '--port', String(await freePort())], clean);
}

function expectOneClearLine(run: { code: number; stdout: string; stderr: string }, file: string, cause: RegExp) {
  expect(run.code).not.toBe(0);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toContain(`error: ${file}: `);
  expect(lines[0]).toMatch(cause);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stdout).toBe('');
}

async function initialised(name: string): Promise<string> {
  const file = join(dir, name);
  const init = await runCli(['init', '--db', file, '--json'], clean);
  expect(init.code, init.stderr).toBe(0);
  return file;
}

describe('a database file that cannot be used stops the start', SLOW, () => {
  it('corrupt: random bytes, or a SQLite header over garbage', async () => {
    const random = join(dir, 'random.db');
    writeFileSync(random, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 251)));
    expectOneClearLine(await serve(random), random, /not a SQLite database, or corrupt \(SQLITE_NOTADB\)/);
    const header = join(dir, 'header.db');
    writeFileSync(header, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0xab)]));
    expectOneClearLine(await serve(header), header, /corrupt/);
    // The same line from any local command.
    expectOneClearLine(await runCli(['token', 'list', '--db', random], clean), random, /SQLITE_NOTADB/);
  });

  it('from a newer schema version: a migration this version does not know', async () => {
    const file = await initialised('newer.db');
    await rawQuery(file, "insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2030-01-01T00:00:00.000Z')");
    expectOneClearLine(await serve(file), file, /written by a newer version of Tessera \(its schema has migration 9999_from_the_future/);
  });

  it('unwritable: on a read-only filesystem (as root) or without write permission', async () => {
    const mountPoint = join(dir, 'readonly');
    mkdirSync(mountPoint);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint]);
    try {
      const file = join(mountPoint, 'tessera.db');
      const init = await runCli(['init', '--db', file, '--json'], clean);
      expect(init.code, init.stderr).toBe(0);
      // Root ignores file permissions: only a read-only mount stops it from writing.
      if (asRoot) execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
      else {
        chmodSync(file, 0o444);
        chmodSync(mountPoint, 0o555);
      }
      expectOneClearLine(await serve(file), file, /cannot be opened for writing \(SQLITE_\w+\): check the permissions/);
      const fresh = join(mountPoint, 'sub', 'new.db');
      expectOneClearLine(await serve(fresh), fresh, /cannot create the file or its directory|cannot be opened for writing/);
    } finally {
      if (asRoot) execFileSync('umount', [mountPoint]);
      else chmodSync(mountPoint, 0o755);
    }
  });
});
