/** What the shared operations need to know about SQLite: its constraint error codes, its write lock, per-row batches. */
import type BetterSqlite3 from 'better-sqlite3';
import type { DialectHooks } from '../kysely/dialect-hooks.js';

/** Hooks for one database handle (the per-row path prepares statements on it, once each). */
export function createSqliteHooks(database: BetterSqlite3.Database): DialectHooks {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    ...sqliteHooks,
    // Callers run this inside a Kysely transaction on the same (only) connection, so the rows commit with it.
    runPerRow(statement, items, rowOf, from, untilMs) {
      if (from >= items.length) return items.length;
      let prepared = statements.get(statement);
      if (!prepared) statements.set(statement, (prepared = database.prepare(statement)));
      let i = from;
      do prepared.run(...rowOf(items[i++]!));
      while (i < items.length && performance.now() < untilMs);
      return i;
    },
  };
}

export const sqliteHooks: DialectHooks = {
  // better-sqlite3's extended result codes; a foreign key or NOT NULL failure is not a conflict.
  isUniqueViolation(error) {
    const code = (error as { code?: unknown } | null)?.code;
    return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
  },
  // Nothing to do: every transaction starts with `begin immediate` (see sqlite-dialect.ts), so it already holds
  // the database's single write lock before it reads the chain head.
  lockAuditChain: () => Promise.resolve(),
  // One file, one process serving it: the service invalidates its own caches after each change.
  notifyChanges: () => Promise.resolve(),
  lockRowsOnRead: false,
};
