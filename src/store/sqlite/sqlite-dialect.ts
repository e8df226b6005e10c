/** Kysely's SQLite dialect, adjusted so that transactions take the write lock up front and wait for it without blocking. */
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type QueryResult,
  type SqliteDatabase,
  type SqliteDialectConfig,
} from 'kysely';
import { LRUCache } from 'lru-cache';
import { isBusy } from './sqlite-faults.js';

export interface ImmediateSqliteDialectConfig extends SqliteDialectConfig {
  database: BetterSqlite3.Database;
  /** How long a write waits, in all, for another process's write lock before it fails with SQLITE_BUSY. */
  lockWaitMs: number;
}

/**
 * Waits for the write lock off the event loop. better-sqlite3 is synchronous: SQLite's own busy timeout would
 * sleep inside the call and stop every other request (cached checks too) for as long as another process holds
 * the lock. So the connection's busy timeout is kept short and a statement refused with SQLITE_BUSY outside a
 * transaction (`begin immediate`, or a write on its own, which changed nothing) is tried again after a timer.
 * Between tries the one connection is handed back (`pause`): reads, which WAL lets run beside another process's
 * write lock, and other writes' own tries go on meanwhile instead of queueing for the whole wait (issue 18: a
 * background flush waiting for the lock stalled every read behind it).
 */
class LockWaitingConnection implements DatabaseConnection {
  constructor(
    private readonly inner: DatabaseConnection,
    private readonly database: BetterSqlite3.Database,
    private readonly lockWaitMs: number,
    /** Releases the connection for `ms`, then takes it again (after whoever took it meanwhile). */
    private readonly pause: (ms: number) => Promise<void>,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const deadline = Date.now() + this.lockWaitMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      try {
        return await this.inner.executeQuery<R>(query);
      } catch (error) {
        // Inside a transaction a busy statement is not retried: the transaction already holds the write lock.
        if (!isBusy(error) || this.database.inTransaction || Date.now() + delay > deadline) throw error;
      }
      await this.pause(delay);
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/** Distinct SQL texts whose prepared statements are kept (queries with lists of varying length make many). */
const PREPARED_STATEMENTS = 256;

/**
 * The database as Kysely's driver sees it, preparing each distinct SQL text once: Kysely asks for a new statement
 * for every query, and SQLite's parsing and planning cost more than many of the queries themselves (a token read
 * on a cache miss). Kysely runs one query at a time on its one connection, so a kept statement is never in use twice.
 */
function preparingOnce(database: BetterSqlite3.Database): SqliteDatabase {
  const statements = new LRUCache<string, BetterSqlite3.Statement>({ max: PREPARED_STATEMENTS });
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) statements.set(sql, (statement = database.prepare(sql)));
      return statement;
    },
  };
}

/**
 * `begin immediate` instead of a deferred `begin`: a transaction that reads and then writes (the audit chain's
 * head, a version check) would otherwise fail with SQLITE_BUSY when another process (the CLI beside the
 * server) committed in between; taking the lock first makes it wait (see LockWaitingConnection) instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #config: ImmediateSqliteDialectConfig;
  #connection: LockWaitingConnection | undefined;

  constructor(config: ImmediateSqliteDialectConfig) {
    super({ ...config, database: preparingOnce(config.database) });
    this.#config = config;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    this.#connection ??= new LockWaitingConnection(connection, this.#config.database, this.#config.lockWaitMs, (ms) => this.#pause(ms));
    return this.#connection;
  }

  async #pause(ms: number): Promise<void> {
    await super.releaseConnection();
    await new Promise((resolve) => setTimeout(resolve, ms));
    await super.acquireConnection();
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * SQLite rolls a transaction back by itself after some errors (SQLITE_FULL, SQLITE_IOERR); a second rollback
   * would then fail with "no transaction is active" and hide the error that explains the failure.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#config.database.inTransaction) await super.rollbackTransaction(connection);
  }
}

/** SQLite does run DDL in transactions; saying so makes the migrator apply each run atomically, under the lock. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ImmediateSqliteDialectConfig;

  constructor(config: ImmediateSqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
