/** The store's part of rate limits (issue 19): each window's count, written in the background, shared by instances. */
import type { AccountId } from '../core/types.js';

/** One fixed window of one limit of one holder: a limit is told apart by its name and its duration. */
export interface RateLimitWindowKey {
  accountId: AccountId;
  holder: 'token' | 'identity';
  holderId: string;
  name: string;
  durationMs: number;
  /** Start of the window (epoch ms, a multiple of the duration). */
  startMs: number;
}

/** Units counted in a window by one instance since its last flush. */
export interface RateLimitDelta {
  key: RateLimitWindowKey;
  count: number;
}

export interface RateLimitOps {
  /**
   * Adds each delta to its window's stored count (creating the window): on PostgreSQL in multi-row statements
   * without a transaction across them (rows in the order given: callers sort, so two instances never wait on each
   * other's rows in opposite orders), on SQLite all in one transaction. At most one delta per window. Returns the
   * deltas not written, for the next flush.
   */
  addRateLimitCounts(deltas: readonly RateLimitDelta[]): Promise<RateLimitDelta[]>;
  /** The stored count of each window that has one (by `rateLimitWindowKeyOf`); missing windows counted nothing. */
  readRateLimitCounts(keys: readonly RateLimitWindowKey[]): Promise<Map<string, number>>;
  /** Deletes the windows that no sliding-window estimate at or after `nowMs` reads (ended over a duration ago). */
  sweepRateLimitWindows(nowMs: number): Promise<number>;
}

/** The map key `readRateLimitCounts` answers by. */
export function rateLimitWindowKeyOf(key: RateLimitWindowKey): string {
  return `${key.accountId}\u0000${key.holder}\u0000${key.holderId}\u0000${key.name}\u0000${key.durationMs}\u0000${key.startMs}`;
}
