/** Rate limits as the API spells them: the duration in whole seconds, the reset as an ISO time. */
import type { RateLimitRule } from '../../core/usage-limits.js';
import type { LimitState } from './rate-limiter.js';

export interface RateLimitView {
  name: string;
  limit: number;
  /** Seconds. */
  duration: number;
}

export function toLimitViews(limits: readonly RateLimitRule[]): RateLimitView[] {
  return limits.map((l) => ({ name: l.name, limit: l.limit, duration: l.durationMs / 1000 }));
}

/** A limit's state after a check (verify) or now (`GET …/ratelimits`). */
export interface LimitStateView extends RateLimitView {
  holder: 'token' | 'identity';
  holderId: string;
  remaining: number;
  /** When the current window ends. */
  reset: string;
}

export function toLimitStateView(state: LimitState): LimitStateView {
  return { name: state.name, holder: state.holder, holderId: state.holderId, limit: state.limit, duration: Math.round(state.durationMs / 1000), remaining: state.remaining, reset: resetText(state.resetAtMs) };
}

/** Window ends as ISO text. Checks share a few ends (windows are aligned to the epoch): each is formatted once. */
const resetTexts = new Map<number, string>();
const MAX_RESET_TEXTS = 1024;

function resetText(resetAtMs: number): string {
  let text = resetTexts.get(resetAtMs);
  if (text === undefined) {
    if (resetTexts.size >= MAX_RESET_TEXTS) resetTexts.clear();
    text = new Date(resetAtMs).toISOString();
    resetTexts.set(resetAtMs, text);
  }
  return text;
}
