/** What the shared operations need to know about PostgreSQL: its unique-violation code, and a per-account lock. */
import { sql } from 'kysely';
import type { DialectHooks } from '../kysely/dialect-hooks.js';

/** The class half of the two-key advisory lock: keeps our locks apart from any other user of advisory locks. */
const AUDIT_CHAIN_LOCK_CLASS = 0x7e55_0001;

/** The NOTIFY channel every instance LISTENs on for cache invalidations (see postgres-change-feed.ts). */
export const CHANGE_CHANNEL = 'tessera_changes';

export const postgresHooks: DialectHooks = {
  isUniqueViolation(error) {
    return (error as { code?: unknown } | null)?.code === '23505';
  },
  // A transaction-scoped advisory lock rather than `select … for update` on the head row: an account's first
  // append has no head row to lock yet. Under read committed, the head read that follows sees whatever the
  // previous holder committed. A hashtext collision between two accounts only makes them queue together.
  async lockAuditChain(trx, accountId) {
    await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_CLASS}, hashtext(${accountId}))`.execute(trx);
  },
  lockRowsOnRead: true,
  // NOTIFY is transactional: listeners hear it at commit, never for a rolled-back change. One statement for a
  // batch, so a bulk insert costs one round trip per chunk, not per token.
  async notifyChanges(db, changes) {
    if (changes.length === 1) {
      await sql`select pg_notify(${CHANGE_CHANNEL}, ${JSON.stringify(changes[0])})`.execute(db);
    } else if (changes.length > 1) {
      const payloads = changes.map((change) => JSON.stringify(change));
      await sql`select pg_notify(${CHANGE_CHANNEL}, payload) from unnest(${payloads}::text[]) as payload`.execute(db);
    }
  },
};
