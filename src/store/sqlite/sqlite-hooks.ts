/** What the shared operations need to know about SQLite: its constraint error codes, and its write lock. */
import type { DialectHooks } from '../kysely/dialect-hooks.js';

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
  notifyChange: () => Promise.resolve(),
  lockRowsOnRead: false,
};
