/**
 * The IETF `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers-09/-10, structured-field
 * lists: `"per-minute";q=100;w=60` and `"per-minute";r=42;t=17`), and `Retry-After` on a refusal.
 */
import type { LimitState } from '../service/index.js';
import { integerText } from '../core/integer-text.js';

/** The headers of a check that consumed (or was refused by) limits; none when it named none. */
export function rateLimitHeaders(states: readonly LimitState[] | undefined, refused: boolean): Record<string, string> {
  if (states === undefined || states.length === 0) return {};
  const seen = new Set<string>();
  const policies: string[] = [];
  const current: string[] = [];
  let retryAfter = 0;
  for (const state of states) {
    // Names follow LIMIT_NAME_PATTERN (no quote, no backslash): safe inside an sf-string. A name held by both a
    // token and its identity is told apart by its holder.
    const id = seen.has(state.name) ? `${state.name}.${state.holder}.${seen.size}` : state.name;
    seen.add(state.name);
    const resetSeconds = Math.max(0, Math.ceil(state.resetInMs / 1000));
    policies.push(`"${id}";q=${state.limit};w=${Math.round(state.durationMs / 1000)}`);
    current.push(`"${id}";r=${integerText(state.remaining)};t=${resetSeconds}`);
    if (state.exceeded) retryAfter = Math.max(retryAfter, resetSeconds, 1);
  }
  const headers: Record<string, string> = { 'ratelimit-policy': policies.join(', '), ratelimit: current.join(', ') };
  if (refused) headers['retry-after'] = String(Math.max(retryAfter, 1));
  return headers;
}
