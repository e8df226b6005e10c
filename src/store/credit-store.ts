/** The store's part of credits (issue 19): balances of tokens and identities, written apart from their records. */
import type { CreditsRecord } from '../core/credits.js';
import type { AccountId } from '../core/types.js';

/** Whose credits: a token's or an identity's, in an account. */
export interface CreditKey {
  accountId: AccountId;
  holder: 'token' | 'identity';
  holderId: string;
}

/**
 * Consumption (or, negative, an addition) made in the refill period starting at `periodMs`. Applied to the balance
 * of that period: a stored balance of an older period is first refilled to `refillAmount` (the delta's period has
 * begun), one of a newer period is left alone (the delta was spent before that refill reset the count).
 */
export interface CreditDelta {
  key: CreditKey;
  periodMs: number;
  refillAmount: number | null;
  delta: number;
}

export interface CreditOps {
  /**
   * Sets (or, with `null`, removes) the holder's credits: rule and balance. Tells the change (so every instance
   * reloads the balance). False when the holder does not exist.
   */
  setCredits(key: CreditKey, credits: CreditsRecord | null): Promise<boolean>;
  /**
   * Applies deltas: on PostgreSQL each in its own statement (no transaction across holders: a batch never holds row
   * locks that a record's edit would wait on in another order); on SQLite all in one transaction (one commit; its
   * writers are serialised anyway). Tells no change: a balance moving is not a record changing. Returns the deltas
   * not written, for the next flush.
   */
  applyCreditDeltas(deltas: readonly CreditDelta[]): Promise<CreditDelta[]>;
  /**
   * Strict mode: one atomic conditional update — the balance (refilled first when its period is older than
   * `periodMs`) minus `cost`, only where at least `cost` is left. The balance after it, or `{ refused: remaining }`.
   */
  consumeCredits(key: CreditKey, cost: number, periodMs: number, refillAmount: number | null): Promise<{ remaining: number } | { refused: number }>;
  /**
   * Records that instance `id` is alive at `nowMs`, forgets instances not seen since `sinceMs`, and answers how many
   * are alive (this one included): credits held in memory are shared out between them (docs/limits.md).
   */
  touchInstance(id: string, nowMs: number, sinceMs: number): Promise<number>;
  /** The stored credits of each key that has any (missing keys have none or do not exist). */
  readCredits(keys: readonly CreditKey[]): Promise<Map<string, CreditsRecord>>;
}

/** The map key `readCredits` answers by. */
export function creditKeyOf(key: CreditKey): string {
  return `${key.accountId}\u0000${key.holder}\u0000${key.holderId}`;
}
