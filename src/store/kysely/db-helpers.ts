/** Small helpers shared by the store's operations. */
import type { Kysely } from 'kysely';
import { badRequest } from '../../core/errors.js';
import { StoreConflictError } from '../store.js';
import type { Database } from './schema.js';
import type { DialectHooks } from './dialect-hooks.js';

/** The store's own handle or a transaction's: every operation is written once against this type. */
export type Db = Kysely<Database>;

/** Runs `fn` in the caller's transaction if there is one, else in a new one, so multi-statement writes are atomic. */
export function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** Runs one write, turning a unique-key violation into `StoreConflictError` with a message naming the key. */
export async function conflictAs<T>(hooks: DialectHooks, what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (hooks.isUniqueViolation(error)) throw new StoreConflictError(`${what} is already taken`);
    throw error;
  }
}

export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw badRequest('limit', 'must be a positive integer');
  return limit;
}

/** A `LIKE` pattern matching `text` anywhere, with `\` as the escape character for `%`, `_` and itself. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
