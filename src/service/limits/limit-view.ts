/** Rate limits as the API spells them: the duration in whole seconds. */
import type { RateLimitRule } from '../../core/usage-limits.js';

export interface RateLimitView {
  name: string;
  limit: number;
  /** Seconds. */
  duration: number;
}

export function toLimitViews(limits: readonly RateLimitRule[]): RateLimitView[] {
  return limits.map((l) => ({ name: l.name, limit: l.limit, duration: l.durationMs / 1000 }));
}
