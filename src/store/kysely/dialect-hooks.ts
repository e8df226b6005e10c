/** The few things the shared operations cannot say in portable SQL, supplied by each backend. */
import type { AccountId } from '../../core/types.js';
import type { StoreChange } from '../store.js';
import type { Db } from './db-helpers.js';

export interface DialectHooks {
  /** A primary key or unique index was violated (not a foreign key or NOT NULL failure). */
  isUniqueViolation(error: unknown): boolean;
  /**
   * Called first inside an append's transaction: until it commits, no other connection, in this process or
   * another, may read the account's chain head, or two appends would both extend the same head and fork it.
   */
  lockAuditChain(trx: Db, accountId: AccountId): Promise<void>;
  /**
   * Tells other instances sharing the database that cached copies of `changes` are stale. Runs in the writer's
   * transaction, so the notices are delivered if and only if the changes commit. A no-op for a single instance.
   */
  notifyChanges(db: Db, changes: readonly StoreChange[]): Promise<void>;
  /**
   * Whether a token read inside a transaction must lock its row (`for update`) so that a concurrent
   * read-check-write of the same token on another connection waits instead of losing an update.
   * SQLite's `begin immediate` already serialises every writing transaction.
   */
  lockRowsOnRead: boolean;
  /**
   * Optional fast path for the background flushes: runs one statement (positional `?` parameters) once per item
   * from `from` on, each item's parameters made by `rowOf` just before it runs, preparing the statement once, on the
   * connection of the transaction the caller is in, until `performance.now()` reaches `untilMs` (at least one item
   * runs); returns the index of the next item (`items.length` once all ran). Backends without it get multi-row
   * statements built per chunk. SQLite supplies it: better-sqlite3 runs a prepared statement per row in
   * microseconds, far less than building and preparing a statement with thousands of parameters. See `runSliced`.
   */
  runPerRow?: <T>(statement: string, items: readonly T[], rowOf: (item: T) => readonly unknown[], from: number, untilMs: number) => number;
}
