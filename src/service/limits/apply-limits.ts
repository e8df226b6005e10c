/** The usage-control step of a recorded check (verify, forward auth): the identity, then the chain's credits and rate limits. */
import type { ServiceContext } from '../context.js';
import type { CachedToken } from '../verify/token-cache.js';
import type { IdentityRef, Verdict, VerifyInput, VerifyResult } from '../verify/check-token.js';
import { refillPeriodOf, type CreditDecision, type CreditHolder } from './credit-ledger.js';
import type { LimitHolder, LimitState } from './rate-limiter.js';

type Passed = Extract<VerifyResult, { valid: true }>;
type Identity = IdentityRef | null;

/**
 * A passing check, with its identity and after consuming its cost from every limit it names and from every credit
 * balance on its chain; from memory when the chain's identities and balances are held (no await), otherwise after
 * reading them once. Credits held in memory are judged first: a check with no credits left consumes no rate limit.
 * Strict credits are spent last, in the database, once the rest has passed (docs/limits.md).
 */
export function applyLimits(ctx: ServiceContext, entry: CachedToken, input: VerifyInput, result: Passed, nowMs: number, synced = false): Verdict | Promise<Verdict> {
  const { token } = entry;
  const holders: LimitHolder[] = [];
  const creditHolders: CreditHolder[] = [];
  for (const t of entry.holders.tokens) {
    if (t.limits.length > 0) holders.push({ holder: 'token', holderId: t.tokenId, limits: t.limits });
    if (t.credits !== null) creditHolders.push({ holder: 'token', holderId: t.tokenId, credits: t.credits });
  }
  let identity: Identity = null;
  for (const id of entry.holders.identityIds) {
    const found = ctx.identities.peek(token.accountId, id, nowMs);
    if (found === undefined) {
      return ctx.identities.load(token.accountId, id, nowMs).then(() => applyLimits(ctx, entry, input, result, nowMs, synced));
    }
    if (found === null) continue;
    if (found.id === token.identityId) identity = { id: found.id, externalId: found.externalId };
    if (found.limits.length > 0) holders.push({ holder: 'identity', holderId: found.id, limits: found.limits });
    if (found.credits !== null) creditHolders.push({ holder: 'identity', holderId: found.id, credits: found.credits });
  }
  if (holders.length === 0 && creditHolders.length === 0) return { ...result, identity };
  if (creditHolders.length > 0 && !ctx.credits.ready(token.accountId, creditHolders)) {
    return ctx.credits.load(token.accountId, creditHolders).then(() => applyLimits(ctx, entry, input, result, nowMs, synced));
  }
  const names = input.usage?.limits;
  if (holders.length > 0 && !ctx.rateLimiter.ready(token.accountId, holders, names)) {
    return ctx.rateLimiter.load(token.accountId, holders, names, nowMs).then(() => applyLimits(ctx, entry, input, result, nowMs, synced));
  }
  const cost = input.usage?.cost ?? 1;
  if (creditHolders.length > 0) {
    const held = ctx.credits.canSpend(token.accountId, creditHolders, cost, nowMs);
    if (!held.passed) return exceeded(ctx, result, identity, held, undefined, nowMs);
    // This instance spent its share since its last sync (several instances only): decide on fresh balances, once.
    if (held.needsSync && !synced) return syncLimits(ctx).then(() => applyLimits(ctx, entry, input, result, nowMs, true));
  }
  // The same for rate-limit windows: a check syncs at most once, credits and windows together.
  if (holders.length > 0 && !synced && ctx.rateLimiter.needsSync(token.accountId, holders, names, cost, nowMs)) {
    return syncLimits(ctx).then(() => applyLimits(ctx, entry, input, result, nowMs, true));
  }
  let ratelimits: LimitState[] | undefined;
  if (holders.length > 0) {
    const decision = ctx.rateLimiter.check(token.accountId, holders, names, cost, nowMs);
    if (!decision.passed) {
      ctx.limitNotices.note(token.accountId, token.id, decision.states);
      return { valid: false, code: 'RATE_LIMITED', token, identity, ratelimits: decision.states };
    }
    ratelimits = decision.states;
  }
  if (creditHolders.length === 0) return { ...result, identity, ...(ratelimits ? { ratelimits } : {}) };
  const spend = (strictLeft: number): Verdict => {
    const left = Math.min(strictLeft, ctx.credits.spend(token.accountId, creditHolders, cost, nowMs));
    ctx.credits.outcomes.passed += 1;
    return { ...result, identity, ...(ratelimits ? { ratelimits } : {}), ...creditsField(left) };
  };
  if (!creditHolders.some((h) => h.credits.strict)) return spend(Number.POSITIVE_INFINITY);
  return ctx.credits.spendStrict(token.accountId, creditHolders, cost, nowMs).then((strict) =>
    strict.passed ? spend(strict.remaining) : exceeded(ctx, result, identity, strict, ratelimits, nowMs),
  );
}

/** Writes this instance's credits and rate-limit counts and re-reads what every instance wrote. */
async function syncLimits(ctx: ServiceContext): Promise<void> {
  await Promise.all([ctx.credits.sync(), ctx.rateLimiter.sync()]);
}

/** A check the credits refused: counted, noted for `token.credits_exhausted` (in memory), answered USAGE_EXCEEDED. */
function exceeded(ctx: ServiceContext, result: Passed, identity: Identity, refusal: CreditDecision, ratelimits: LimitState[] | undefined, nowMs: number): Verdict {
  ctx.credits.outcomes.usage_exceeded += 1;
  const { token } = result;
  if (refusal.refusedBy) ctx.limitNotices.noteCreditsExhausted(token.accountId, token.id, refusal.refusedBy, refillPeriodOf(refusal.refusedBy.credits, nowMs), nowMs);
  return { valid: false, code: 'USAGE_EXCEEDED', token, identity, credits: { remaining: Math.max(0, refusal.remaining) }, ...(ratelimits ? { ratelimits } : {}) };
}

/** The least left among the balances spent; none when the store had no balance for any of them. */
function creditsField(remaining: number): { credits?: { remaining: number } } {
  return Number.isFinite(remaining) ? { credits: { remaining: Math.max(0, remaining) } } : {};
}
