/** Usage control's records and rules (issue 19): identities, named rate limits and their checking, pure. */
import { badRequest } from './errors.js';
import { parseDuration } from './duration.js';
import type { AccountId, Timestamp } from './types.js';
import type { CreditsRecord } from './credits.js';

/** One named rate limit: at most `limit` units of cost per `durationMs`. */
export interface RateLimitRule {
  name: string;
  limit: number;
  /** Window length in milliseconds (given as seconds or "1m", "1 day", read by the project's `ms`). */
  durationMs: number;
}

/** Who owns tokens (Unkey's identity): one per `externalId` in an account; limits on it are shared by its tokens. */
export interface IdentityRecord {
  id: string;
  accountId: AccountId;
  /** The operator's own id for the user or customer, unique in the account. */
  externalId: string;
  name: string | null;
  metadata: Record<string, unknown>;
  limits: RateLimitRule[];
  /** Credits shared by the identity's tokens; `null` for none. */
  credits: CreditsRecord | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  version: number;
}

export const limitBounds = {
  limitsPerHolder: 10,
  /** A limit can count up to a billion units per window; a check's cost is at most the same. */
  maxLimit: 1_000_000_000,
  maxCost: 1_000_000_000,
  /** From one second to a year (a window longer than that is better served by credits). */
  maxDurationMs: 366 * 24 * 3600 * 1000,
  externalIdLength: 200,
} as const;

/** Names a caller can write in a URL, header or log line without quoting: letters, digits, `_ . -`. */
export const LIMIT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$/;

/** What a caller may send for one limit: `duration` in seconds or a duration string. */
export interface RateLimitInput {
  name: string;
  limit: number;
  duration: string | number;
}

/** Checks a list of limits; every problem names its field (`limits[1].duration`). */
export function checkRateLimits(values: readonly RateLimitInput[], field = 'limits'): RateLimitRule[] {
  if (values.length > limitBounds.limitsPerHolder) throw badRequest(field, `at most ${limitBounds.limitsPerHolder} limits`);
  const seen = new Set<string>();
  return values.map((value, index) => {
    const at = `${field}[${index}]`;
    if (!LIMIT_NAME_PATTERN.test(value.name)) {
      throw badRequest(`${at}.name`, 'must be 1 to 50 characters from A-Z, a-z, 0-9, _, . and -, starting with a letter or digit');
    }
    if (seen.has(value.name)) throw badRequest(`${at}.name`, `${value.name} is named twice`);
    seen.add(value.name);
    if (!Number.isSafeInteger(value.limit) || value.limit < 1 || value.limit > limitBounds.maxLimit) {
      throw badRequest(`${at}.limit`, `must be an integer from 1 to ${limitBounds.maxLimit}`);
    }
    const duration = parseDuration(value.duration);
    if (!duration.ok) throw badRequest(`${at}.duration`, duration.problem);
    const durationMs = duration.seconds * 1000;
    if (durationMs > limitBounds.maxDurationMs) throw badRequest(`${at}.duration`, 'must be at most 366 days');
    return { name: value.name, limit: value.limit, durationMs };
  });
}

/** A check's cost: a positive integer, 1 when omitted. Zero or negative would refund, a huge one would overflow. */
export function checkCost(value: number | undefined, field = 'cost'): number {
  if (value === undefined) return 1;
  if (!Number.isSafeInteger(value) || value < 1 || value > limitBounds.maxCost) {
    throw badRequest(field, `must be an integer from 1 to ${limitBounds.maxCost}`);
  }
  return value;
}
