/**
 * The IETF `RateLimit-Policy` / `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers, -09/-10 syntax) of a check
 * Tessera counted against rate limits, and `Retry-After` on a refusal; the middleware sends them on every answer.
 */
import type { RateLimitState } from './verify-types.js';

export function rateLimitHeaders(states: readonly RateLimitState[] | undefined, refused: boolean, nowMs: number = Date.now()): Record<string, string> {
  if (states === undefined || states.length === 0) return {};
  const policies: string[] = [];
  const current: string[] = [];
  let retryAfter = 1;
  states.forEach((state, index) => {
    // Limit names are letters, digits, `_ . -`: safe in an sf-string. One name held twice (token and identity) is told apart.
    const id = states.findIndex((s) => s.name === state.name) === index ? state.name : `${state.name}.${state.holder}.${index}`;
    const t = Math.max(0, Math.ceil((Date.parse(state.reset) - nowMs) / 1000));
    policies.push(`"${id}";q=${state.limit};w=${state.duration}`);
    current.push(`"${id}";r=${state.remaining};t=${t}`);
    if (state.remaining === 0) retryAfter = Math.max(retryAfter, t);
  });
  return {
    'ratelimit-policy': policies.join(', '),
    ratelimit: current.join(', '),
    ...(refused ? { 'retry-after': String(retryAfter) } : {}),
  };
}
