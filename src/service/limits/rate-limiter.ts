/**
 * Rate limits decided in memory (issue 19): a sliding-window counter per (holder, limit name), never a database
 * write on the check path. See docs/limits.md for the window and for what several instances promise.
 */
import type { AccountId } from '../../core/types.js';
import type { RateLimitRule } from '../../core/usage-limits.js';

/** One limit's state after a check, as verify answers and the `RateLimit` headers tell it. */
export interface LimitState {
  name: string;
  /** Whose limit: the token's own (or an ancestor's), or the identity's, shared by all its tokens. */
  holder: 'token' | 'identity';
  holderId: string;
  limit: number;
  remaining: number;
  /** When the current window ends (epoch ms), and how long after the check that is. */
  resetAtMs: number;
  resetInMs: number;
  /** Window length, ms. */
  durationMs: number;
  /** This limit refused the check (its remaining units were fewer than the cost). */
  exceeded: boolean;
}

export interface LimitHolder {
  holder: 'token' | 'identity';
  holderId: string;
  limits: readonly RateLimitRule[];
}

export type LimitDecision = { passed: boolean; states: LimitState[] };

interface Window {
  /** Start of the current fixed window (epoch ms, a multiple of the duration). */
  startMs: number;
  current: number;
  previous: number;
  durationMs: number;
}

/** Counters are swept of windows idle for two durations after this many checks: memory stays bounded by live holders. */
const SWEEP_EVERY = 50_000;

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private checks = 0;
  /** Checks that consumed limits, by outcome, since start (Prometheus `tessera_limit_checks_total`). */
  readonly outcomes = { passed: 0, rate_limited: 0 };

  /**
   * Counts `cost` against every limit of `holders` named in `names` (all of them when `names` is undefined), all or
   * nothing: a refused check consumes nothing, so a client refused by one limit does not drain the others.
   */
  check(accountId: AccountId, holders: readonly LimitHolder[], names: readonly string[] | undefined, cost: number, nowMs: number): LimitDecision {
    if (++this.checks % SWEEP_EVERY === 0) this.sweep(nowMs);
    const picked: { window: Window; rule: RateLimitRule; holder: LimitHolder; used: number }[] = [];
    let passed = true;
    for (const holder of holders) {
      for (const rule of holder.limits) {
        if (names !== undefined && !names.includes(rule.name)) continue;
        const key = `${accountId}\u0000${holder.holder}\u0000${holder.holderId}\u0000${rule.name}\u0000${rule.durationMs}`;
        const window = this.windowAt(key, rule.durationMs, nowMs);
        const used = weightedCount(window, nowMs);
        if (used + cost > rule.limit) passed = false;
        picked.push({ window, rule, holder, used });
      }
    }
    if (passed) this.outcomes.passed += 1;
    else this.outcomes.rate_limited += 1;
    const states = picked.map(({ window, rule, holder, used }): LimitState => {
      if (passed) window.current += cost;
      const counted = passed ? used + cost : used;
      return {
        name: rule.name,
        holder: holder.holder,
        holderId: holder.holderId,
        limit: rule.limit,
        remaining: Math.max(0, rule.limit - counted),
        resetAtMs: window.startMs + rule.durationMs,
        resetInMs: window.startMs + rule.durationMs - nowMs,
        durationMs: rule.durationMs,
        exceeded: used + cost > rule.limit,
      };
    });
    return { passed, states };
  }

  private windowAt(key: string, durationMs: number, nowMs: number): Window {
    const startMs = nowMs - (nowMs % durationMs);
    let window = this.windows.get(key);
    if (window === undefined) {
      window = { startMs, current: 0, previous: 0, durationMs };
      this.windows.set(key, window);
    } else if (window.startMs !== startMs) {
      window.previous = startMs - window.startMs === durationMs ? window.current : 0;
      window.current = 0;
      window.startMs = startMs;
    }
    return window;
  }

  private sweep(nowMs: number): void {
    for (const [key, window] of this.windows) if (nowMs - window.startMs >= 2 * window.durationMs) this.windows.delete(key);
  }
}

/**
 * The sliding-window estimate (as Cloudflare and Unkey count): the previous window's count weighted by how much of it
 * still lies within one duration of now, plus the current window's. Smooths the doubled burst a fixed window allows
 * at its edge.
 */
function weightedCount(window: Window, nowMs: number): number {
  const elapsed = (nowMs - window.startMs) / window.durationMs;
  return Math.floor(window.previous * (1 - elapsed)) + window.current;
}
