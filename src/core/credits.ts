/** Credits (issue 19): a remaining count a check spends, with an optional refill; the rules and their checking, pure. */
import { badRequest } from './errors.js';
import { parseDuration } from './duration.js';

/**
 * A refill sets the remaining count back to `amount` (as Unkey's refill does: unused credits do not pile up) at the
 * start of every period: every `intervalMs` counted from the epoch, or on day `monthlyOn` of every month at 00:00 UTC
 * (the month's last day when it is shorter).
 */
export type CreditRefill = { amount: number; intervalMs: number } | { amount: number; monthlyOn: number };

/** A token's or an identity's credits, as stored. */
export interface CreditsRecord {
  remaining: number;
  refill: CreditRefill | null;
  /** Each check is one atomic conditional update in the database instead of a decision in memory (docs/limits.md). */
  strict: boolean;
  /** Start of the refill period the stored `remaining` belongs to (epoch ms; 0 without a refill). */
  refilledAtMs: number;
}

export const creditBounds = {
  /** Remaining counts and amounts up to 10¹², well inside a double's exact integers and a 64-bit column. */
  maxCredits: 1_000_000_000_000,
  minIntervalMs: 60_000,
  maxIntervalMs: 366 * 24 * 3600 * 1000,
} as const;

/** What a caller may send: `interval` in seconds or a duration string (`"1h"`, `"1 day"`), or `monthlyOn`; exactly one. */
export interface CreditRefillInput {
  amount: number;
  interval?: string | number;
  monthlyOn?: number;
}

export interface CreditsInput {
  remaining: number;
  refill?: CreditRefillInput | null;
  strict?: boolean;
}

/** A count of credits: an integer from `min` to the bound; names its field otherwise. */
export function checkCreditCount(value: number, field: string, min = 0): number {
  if (!Number.isSafeInteger(value) || value < min || value > creditBounds.maxCredits) {
    throw badRequest(field, `must be an integer from ${min} to ${creditBounds.maxCredits}`);
  }
  return value;
}

export function checkRefill(input: CreditRefillInput, field: string): CreditRefill {
  const amount = checkCreditCount(input.amount, `${field}.amount`, 1);
  if (input.monthlyOn !== undefined && input.interval !== undefined) throw badRequest(field, 'give either interval or monthlyOn, not both');
  if (input.monthlyOn !== undefined) {
    if (!Number.isSafeInteger(input.monthlyOn) || input.monthlyOn < 1 || input.monthlyOn > 31) {
      throw badRequest(`${field}.monthlyOn`, 'must be a day of the month from 1 to 31');
    }
    return { amount, monthlyOn: input.monthlyOn };
  }
  if (input.interval === undefined) throw badRequest(field, 'needs interval or monthlyOn');
  const parsed = parseDuration(input.interval);
  if (!parsed.ok) throw badRequest(`${field}.interval`, parsed.problem);
  const intervalMs = parsed.seconds * 1000;
  if (intervalMs < creditBounds.minIntervalMs || intervalMs > creditBounds.maxIntervalMs) {
    throw badRequest(`${field}.interval`, 'must be from 1 minute to 366 days');
  }
  return { amount, intervalMs };
}

/** Credits as set on create or edit: the remaining count starts in the current refill period. */
export function checkCredits(input: CreditsInput, nowMs: number, field = 'credits'): CreditsRecord {
  const remaining = checkCreditCount(input.remaining, `${field}.remaining`);
  const refill = input.refill === undefined || input.refill === null ? null : checkRefill(input.refill, `${field}.refill`);
  return { remaining, refill, strict: input.strict ?? false, refilledAtMs: refillPeriodStart(refill, nowMs) };
}

/** Start of the refill period holding `nowMs` (0 without a refill: one period for ever). */
export function refillPeriodStart(refill: CreditRefill | null, nowMs: number): number {
  if (refill === null) return 0;
  if ('intervalMs' in refill) return nowMs - (nowMs % refill.intervalMs);
  const now = new Date(nowMs);
  const thisMonth = monthlyReset(now.getUTCFullYear(), now.getUTCMonth(), refill.monthlyOn);
  if (thisMonth <= nowMs) return thisMonth;
  return monthlyReset(now.getUTCFullYear(), now.getUTCMonth() - 1, refill.monthlyOn);
}

/** Start of the period after the one holding `nowMs`, or null without a refill (a `Retry-After` can tell it). */
export function nextRefillAt(refill: CreditRefill | null, nowMs: number): number | null {
  if (refill === null) return null;
  if ('intervalMs' in refill) return refillPeriodStart(refill, nowMs) + refill.intervalMs;
  const start = new Date(refillPeriodStart(refill, nowMs));
  return monthlyReset(start.getUTCFullYear(), start.getUTCMonth() + 1, refill.monthlyOn);
}

function monthlyReset(year: number, month: number, day: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(day, lastDay));
}

/** The remaining count at `nowMs`: the stored one, or the refill's amount once a new period has begun since. */
export function creditsAt(credits: CreditsRecord, nowMs: number): { remaining: number; periodMs: number } {
  const periodMs = refillPeriodStart(credits.refill, nowMs);
  if (credits.refill !== null && periodMs > credits.refilledAtMs) return { remaining: credits.refill.amount, periodMs };
  return { remaining: credits.remaining, periodMs: credits.refilledAtMs };
}
