/** The usage-control step of a recorded check (verify, forward auth): the identity, then the chain's rate limits. */
import type { ServiceContext } from '../context.js';
import type { CachedToken } from '../verify/token-cache.js';
import type { Verdict, VerifyInput, VerifyResult } from '../verify/check-token.js';
import type { LimitHolder } from './rate-limiter.js';

type Passed = Extract<VerifyResult, { valid: true }>;

/**
 * A passing check, with its identity and after consuming its cost from every limit it names; from memory when the
 * chain's identities are cached (no await), otherwise after reading them once.
 */
export function applyLimits(ctx: ServiceContext, entry: CachedToken, input: VerifyInput, result: Passed, nowMs: number): Verdict | Promise<Verdict> {
  const { token } = entry;
  const holders: LimitHolder[] = entry.holders.tokens.map((t) => ({ holder: 'token', holderId: t.tokenId, limits: t.limits }));
  let identity: Passed['identity'] = null;
  for (const id of entry.holders.identityIds) {
    const found = ctx.identities.peek(token.accountId, id, nowMs);
    if (found === undefined) {
      return ctx.identities.load(token.accountId, id, nowMs).then(() => applyLimits(ctx, entry, input, result, nowMs));
    }
    if (found === null) continue;
    if (found.id === token.identityId) identity = { id: found.id, externalId: found.externalId };
    if (found.limits.length > 0) holders.push({ holder: 'identity', holderId: found.id, limits: found.limits });
  }
  if (holders.length === 0) return { ...result, identity };
  const decision = ctx.rateLimiter.check(token.accountId, holders, input.usage?.limits, input.usage?.cost ?? 1, nowMs);
  if (!decision.passed) {
    ctx.rateLimitNotices.note(token.accountId, token.id, decision.states);
    return { valid: false, code: 'RATE_LIMITED', token, identity, ratelimits: decision.states };
  }
  return { ...result, identity, ratelimits: decision.states };
}
