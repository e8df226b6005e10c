/** The few things the shared operations cannot say in portable SQL, supplied by each backend. */
import type { AccountId } from '../../core/types.js';
import type { Db } from './db-helpers.js';

export interface DialectHooks {
  /** A primary key or unique index was violated (not a foreign key or NOT NULL failure). */
  isUniqueViolation(error: unknown): boolean;
  /**
   * Called first inside an append's transaction: until it commits, no other connection, in this process or
   * another, may read the account's chain head, or two appends would both extend the same head and fork it.
   */
  lockAuditChain(trx: Db, accountId: AccountId): Promise<void>;
}
