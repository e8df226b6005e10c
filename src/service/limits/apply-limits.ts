/** The usage-control step of a recorded check (verify, forward auth): the identity, then the chain's credits and rate limits. */
import type { ServiceContext } from '../context.js';
import type { CachedToken } from '../verify/token-cache.js';
import type { IdentityRef, Verdict, VerifyInput, VerifyResult } from '../verify/check-token.js';
import { creditSlotOf, refillPeriodOf, type CreditDecision, type CreditHolder, type CreditSlot } from './credit-ledger.js';
import { limitsOf, type HolderLimits, type LimitHolder, type LimitState } from './rate-limiter.js';
import type { ChainHolders } from './chain-holders.js';
import type { IdentityRecord } from '../../core/usage-limits.js';

type Passed = Extract<VerifyResult, { valid: true }>;
/** `passedWith` names every field of a passing verdict: a field added to it fails to compile until it is copied there too. */
type CopiedFields = Record<Exclude<keyof Passed, 'valid' | 'code' | 'token' | 'limits' | 'endpoint' | 'identity' | 'ratelimits' | 'credits'>, never>;
type Identity = IdentityRef | null;

/**
 * A passing check, with its identity and after consuming its cost from every limit it names and from every credit
 * balance on its chain; from memory when the chain's identities and balances are held (no await), otherwise after
 * reading them once. Credits held in memory are judged first: a check with no credits left consumes no rate limit.
 * Strict credits are spent last, in the database, once the rest has passed (docs/limits.md).
 */
export function applyLimits(ctx: ServiceContext, entry: CachedToken, input: VerifyInput, result: Passed, nowMs: number, synced = false): Verdict | Promise<Verdict> {
  if (input.usage === undefined) {
    const quick = quickPass(ctx, entry, result, nowMs);
    if (quick !== undefined) return quick;
  }
  const { token } = entry;
  const chain = holdersOf(entry.holders);
  let holders = chain.limits;
  let creditHolders = chain.credits;
  let identity: Identity = null;
  for (const id of entry.holders.identityIds) {
    const found = ctx.identities.peek(token.accountId, id, nowMs);
    if (found === undefined) {
      return ctx.identities.load(token.accountId, id, nowMs).then(() => applyLimits(ctx, entry, input, result, nowMs, synced));
    }
    if (found === null) continue;
    if (found.id === token.identityId) identity = { id: found.id, externalId: found.externalId };
    const own = holdersOf(found);
    if (own.limits.length > 0) holders = [...holders, ...own.limits];
    if (own.credits.length > 0) creditHolders = [...creditHolders, ...own.credits];
  }
  if (holders.length === 0 && creditHolders.length === 0) return passedWith(result, identity, undefined, Number.POSITIVE_INFINITY);
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
  if (creditHolders.length === 0) return passedWith(result, identity, ratelimits, Number.POSITIVE_INFINITY);
  const spend = (strictLeft: number): Verdict => {
    const left = Math.min(strictLeft, ctx.credits.spend(token.accountId, creditHolders, cost, nowMs));
    ctx.credits.outcomes.passed += 1;
    return passedWith(result, identity, ratelimits, left);
  };
  if (!creditHolders.some(isStrict)) return spend(Number.POSITIVE_INFINITY);
  return ctx.credits.spendStrict(token.accountId, creditHolders, cost, nowMs).then((strict) =>
    strict.passed ? spend(strict.remaining) : exceeded(ctx, result, identity, strict, ratelimits, nowMs),
  );
}

/**
 * What the common check takes, kept on its cached token: a chain whose only holder is the token itself (no identity,
 * no ancestor with limits or credits), its limits and its credit slot reached without a lookup. `null`: not such a
 * chain.
 */
export type QuickLimits = { limits: HolderLimits | null; slot: CreditSlot | null } | null;

/**
 * The common check decided in a few steps (issue 19 item 6): a cost of 1 against every limit named by default and
 * the token's in-memory credits, every window and balance held and far enough from its end. The same verdict as the
 * full path would give; `undefined`, having consumed nothing, when anything needs more (that path decides it then).
 */
function quickPass(ctx: ServiceContext, entry: CachedToken, result: Passed, nowMs: number): Passed | undefined {
  let plan = entry.quickLimits;
  if (plan === undefined) plan = entry.quickLimits = quickLimitsOf(entry);
  if (plan === null) return undefined;
  const balance = plan.slot === null ? null : ctx.credits.quickBalance(plan.slot, nowMs);
  if (balance === undefined) return undefined;
  let ratelimits: LimitState[] | undefined;
  if (plan.limits !== null) {
    ratelimits = ctx.rateLimiter.quickCheck(plan.limits, nowMs);
    if (ratelimits === undefined) return undefined;
  }
  if (balance === null) return passedWith(result, null, ratelimits, Number.POSITIVE_INFINITY);
  ctx.credits.outcomes.passed += 1;
  return passedWith(result, null, ratelimits, ctx.credits.quickSpend(plan.slot!, balance, nowMs));
}

function quickLimitsOf(entry: CachedToken): QuickLimits {
  const { tokens, identityIds } = entry.holders;
  if (identityIds.length > 0 || tokens.length !== 1) return null;
  const { accountId } = entry.token;
  const { limits, credits } = holdersOf(entry.holders);
  return {
    limits: limits.length === 0 ? null : limitsOf(accountId, limits[0]!),
    slot: credits.length === 0 ? null : creditSlotOf(accountId, credits[0]!),
  };
}

interface Holders {
  limits: readonly LimitHolder[];
  credits: readonly CreditHolder[];
}

/**
 * The rate-limit and credit holders of a cached chain (its tokens) or of a cached identity, made once per cached
 * object: the same holder objects on every check let the rate limiter and the ledger keep their keys with them
 * (a check then builds no key string and no holder list).
 */
const holdersByOwner = new WeakMap<ChainHolders | IdentityRecord, Holders>();

export function holdersOf(owner: ChainHolders | IdentityRecord): Holders {
  let known = holdersByOwner.get(owner);
  if (known !== undefined) return known;
  const limits: LimitHolder[] = [];
  const credits: CreditHolder[] = [];
  const add = (holder: 'token' | 'identity', holderId: string, own: { limits: LimitHolder['limits']; credits: CreditHolder['credits'] | null }) => {
    if (own.limits.length > 0) limits.push({ holder, holderId, limits: own.limits });
    if (own.credits !== null) credits.push({ holder, holderId, credits: own.credits });
  };
  if ('tokens' in owner) for (const t of owner.tokens) add('token', t.tokenId, t);
  else add('identity', owner.id, owner);
  known = { limits, credits };
  holdersByOwner.set(owner, known);
  return known;
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

/**
 * The passing verdict with what the check consumed: its limits' states and the least credits left among the balances
 * spent (none when the store had no balance for any of them). Built field by field rather than spread: `result` is
 * usually the cache entry's frozen verdict, which V8 copies only on a slow path, and a literal per case keeps one
 * object shape per case (issue 19 item 6).
 */
function passedWith(result: Passed & CopiedFields, identity: Identity, ratelimits: LimitState[] | undefined, creditsLeft: number): Passed {
  const { token, limits } = result;
  const credits = Number.isFinite(creditsLeft) ? { remaining: Math.max(0, creditsLeft) } : undefined;
  const verdict: Passed = ratelimits
    ? credits
      ? { valid: true, code: 'VALID', token, limits, identity, ratelimits, credits }
      : { valid: true, code: 'VALID', token, limits, identity, ratelimits }
    : credits
      ? { valid: true, code: 'VALID', token, limits, identity, credits }
      : { valid: true, code: 'VALID', token, limits, identity };
  if (result.endpoint !== undefined) verdict.endpoint = result.endpoint;
  return verdict;
}

function isStrict(holder: CreditHolder): boolean {
  return holder.credits.strict;
}
