/** The backups docs/operations.md describes, taken while the server writes, restored into a fresh instance. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
// The driver this runtime loads (better-sqlite3 12 on Node 20, 13 on Node 22+).
import { BetterSqlite3Database as BetterSqlite3 } from '../store/sqlite/better-sqlite3.js';
import { afterEach, describe, expect, it } from 'vitest';
import { call, Ledger } from '../testing/acknowledged-writes.js';
import { findPostgresBinaries, startPostgres } from '../testing/postgres-server.js';
import { initDatabase, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { freshTestDatabase } from '../testing/test-app.js';
import { currentTestStore } from '../testing/test-stores.js';

const run = promisify(execFile);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(db: string): Promise<ServerProcess> {
  const server = await startServerProcess(db, { LOG_LEVEL: 'error' });
  cleanups.push(() => server.stop('SIGKILL'));
  return server;
}

/** A served database with tokens in every state, and writes still going on while the backup is taken. */
async function busyServer(dir: string): Promise<{ db: string; server: ServerProcess; root: string; ledger: Ledger; keepWriting: () => Promise<void> }> {
  const db = await freshTestDatabase(dir);
  const root = await initDatabase(db);
  const server = await serve(db);
  const ledger = new Ledger();
  for (let i = 0; i < 9; i++) expect((await ledger.create(server.url, root, `before backup ${i}`)).status).toBe(201);
  const ids = [...ledger.tokens.keys()];
  for (let i = 0; i < 3; i++) expect((await ledger.change(server.url, root, ids[i]!, i % 2 ? 'disable' : 'revoke')).status).toBe(200);
  let writing = true;
  const writes = (async () => {
    for (let i = 0; i < 500 && writing; i++) await call(server.url, 'POST', '/v1/tokens', root, { name: `during backup ${i}`, scopes: ['tokens:read'] });
  })();
  return { db, server, root, ledger, keepWriting: async () => { writing = false; await writes; } };
}

/** The restored copy, served by a new instance: every token made before the backup, in its state; the audit chain whole. */
async function expectRestored(db: string, root: string, ledger: Ledger): Promise<void> {
  const restored = await serve(db);
  expect(await ledger.mismatches(restored.url)).toEqual([]);
  expect((await call(restored.url, 'GET', '/v1/audit/verify', root)).body).toMatchObject({ ok: true });
  expect((await call(restored.url, 'POST', '/v1/tokens', root, { name: 'after restore', scopes: ['tokens:read'] })).status).toBe(201);
}

describe.skipIf(currentTestStore() !== 'sqlite')('SQLite backup and restore', { timeout: 120_000 }, () => {
  it('a VACUUM INTO copy and a sqlite3 .backup copy, taken while the server writes, each serve every token made before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-backup-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { db, root, ledger, keepWriting } = await busyServer(dir);

    const vacuumed = join(dir, 'vacuum-into.db');
    const reader = new BetterSqlite3(db, { readonly: true });
    try {
      reader.prepare('vacuum into ?').run(vacuumed);
    } finally {
      reader.close();
    }
    await run('sqlite3', [db, `.timeout 5000`, `.backup '${join(dir, 'dot-backup.db')}'`]);
    await keepWriting();

    await expectRestored(vacuumed, root, ledger);
    await expectRestored(join(dir, 'dot-backup.db'), root, ledger);
  });
});

describe.skipIf(currentTestStore() !== 'postgres')('PostgreSQL backup and restore', { timeout: 180_000 }, () => {
  it('a pg_dump taken while the server writes, restored with pg_restore into a fresh cluster, serves every token made before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-backup-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const bin = findPostgresBinaries()!;
    const { db, root, ledger, keepWriting } = await busyServer(dir);

    const dump = join(dir, 'tessera.dump');
    await run(join(bin, 'pg_dump'), ['--format=custom', '--no-owner', `--file=${dump}`, `--dbname=${db}`]);
    await keepWriting();

    const fresh = (await startPostgres({ private: true }))!;
    cleanups.push(() => fresh.stop());
    const target = await fresh.createDatabase();
    await run(join(bin, 'pg_restore'), ['--no-owner', '--exit-on-error', `--dbname=${target}`, dump]);
    await expectRestored(target, root, ledger);
  });
});
