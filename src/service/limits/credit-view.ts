/** Credits as the API spells them: the remaining count at the time of reading, the refill interval in seconds. */
import { creditsAt, type CreditsRecord } from '../../core/credits.js';

export interface CreditsView {
  /** Stored balance, refilled when due; consumption decided in memory reaches it within a flush interval (docs/limits.md). */
  remaining: number;
  refill: { amount: number; interval: number } | { amount: number; monthlyOn: number } | null;
  strict: boolean;
}

export function toCreditsView(credits: CreditsRecord | null, nowMs: number): CreditsView | null {
  if (credits === null) return null;
  const { refill } = credits;
  return {
    // A balance overspent by several instances deciding at once is stored below zero (so adds repay it), shown as 0.
    remaining: Math.max(0, creditsAt(credits, nowMs).remaining),
    refill: refill === null ? null : 'intervalMs' in refill ? { amount: refill.amount, interval: refill.intervalMs / 1000 } : { amount: refill.amount, monthlyOn: refill.monthlyOn },
    strict: credits.strict,
  };
}
