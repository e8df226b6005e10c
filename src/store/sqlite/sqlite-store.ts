/** The embedded backend: one SQLite file, opened through Kysely over better-sqlite3. */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import type { Store } from '../store.js';
import type { Database } from '../kysely/schema.js';
import { createStoreOps } from '../kysely/store-ops.js';
import { BetterSqlite3Database } from './better-sqlite3.js';
import { migrateSqlite } from './migrations.js';
import { ImmediateSqliteDialect } from './sqlite-dialect.js';
import { createSqliteHooks } from './sqlite-hooks.js';

export interface SqliteStoreOptions {
  /** Path of the database file (its directory is created if missing), or `':memory:'`. */
  filename: string;
}

const BUSY_TIMEOUT_MS = 5000;

function isInMemory(filename: string): boolean {
  return filename === '' || filename === ':memory:';
}

function openDatabase(filename: string): BetterSqlite3.Database {
  const database = new BetterSqlite3Database(filename, { timeout: BUSY_TIMEOUT_MS });
  try {
    // WAL lets readers run beside the writer; synchronous=FULL fsyncs the log at every commit, so an
    // acknowledged write survives a crash right after the response (spec rule 6), which NORMAL would not.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

/**
 * Opens (creating if needed) the database file. The schema is not touched here: call `migrate()` once at start.
 */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const { filename } = options;
  if (!isInMemory(filename)) await mkdir(dirname(resolve(filename)), { recursive: true });
  const database = openDatabase(filename);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) });
  const hooks = createSqliteHooks(database);

  return {
    kind: 'sqlite',
    ...createStoreOps(db, hooks),
    migrate: () => migrateSqlite(db as Kysely<unknown>),
    // Only `tx` may be used inside `fn`: SQLite has one connection, and the transaction holds it until the end.
    transaction: (fn) => db.transaction().execute((trx) => fn(createStoreOps(trx, hooks))),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
