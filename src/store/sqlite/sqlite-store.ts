/** The embedded backend: one SQLite file, opened through Kysely over better-sqlite3. */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import type { Store, StoreOps } from '../store.js';
import type { Database } from '../kysely/schema.js';
import { createStoreOps } from '../kysely/store-ops.js';
import { StoreChanges } from '../kysely/store-changes.js';
import { BetterSqlite3Database } from './better-sqlite3.js';
import { migrateSqlite } from './migrations.js';
import { ImmediateSqliteDialect } from './sqlite-dialect.js';
import { mapSqliteFaults } from './sqlite-faults.js';
import { createSqliteHooks } from './sqlite-hooks.js';

export interface SqliteStoreOptions {
  /** Path of the database file (its directory is created if missing), or `':memory:'`. */
  filename: string;
}

/** How long a write waits, in all, for another process's write lock (then 503); waited on timers, see sqlite-dialect.ts. */
const LOCK_WAIT_MS = 5000;
/** SQLite's own busy wait, which blocks the event loop: kept to a few milliseconds. */
const BUSY_TIMEOUT_MS = 20;

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
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database, lockWaitMs: LOCK_WAIT_MS }) });
  const hooks = createSqliteHooks(database);
  const changes = new StoreChanges(hooks);

  // A full disk, a lock held too long or a read-only file answer SERVICE_UNAVAILABLE (503); `migrate` and `close`
  // keep SQLite's own errors, which start-up reports as they are.
  return {
    ...mapSqliteFaults<Omit<Store, 'kind' | 'migrate' | 'close' | 'onChange'>>({
      ...createStoreOps(db, hooks, changes),
      // Only `tx` may be used inside `fn`: SQLite has one connection, and the transaction holds it until the end.
      transaction: <T>(fn: (tx: StoreOps) => Promise<T>) => changes.transaction(db, (trx) => fn(createStoreOps(trx, hooks, changes))),
      async ping() {
        await sql`select 1`.execute(db);
      },
    }),
    kind: 'sqlite' as const,
    migrate: () => migrateSqlite(db as Kysely<unknown>),
    close: () => db.destroy(),
    onChange: (listener) => changes.listen(listener),
  };
}
