/**
 * A token's usage-control fields (`identityId`, `limits`) on create and edit, and who may set them (docs/limits.md):
 * attaching a token to an identity spends that identity's shared budget, so it needs `identities:write`; and no token
 * may change the limits or identity of itself or of a token on its own chain of creators (that would lift its own
 * constraints, docs/security.md).
 */
import { TesseraError } from '../../core/errors.js';
import { checkRateLimits, type RateLimitInput, type RateLimitRule } from '../../core/usage-limits.js';
import type { TokenRecord } from '../../core/types.js';
import { checkCredits, type CreditsInput, type CreditsRecord } from '../../core/credits.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { loadIdentity } from '../identities/identity-input.js';
import { readAncestors } from '../tokens/token-chain.js';

export interface TokenUsageInput {
  identityId?: string | null;
  limits?: RateLimitInput[];
  credits?: CreditsInput | null;
}

export type CheckedUsage = { identityId?: string | null; limits?: RateLimitRule[]; credits?: CreditsRecord | null };

/** The checked fields, only those given. */
export async function checkTokenUsageInput(
  ctx: ServiceContext,
  actor: Actor,
  input: TokenUsageInput,
): Promise<CheckedUsage> {
  const checked: CheckedUsage = {};
  if (input.limits !== undefined) checked.limits = checkRateLimits(input.limits);
  if (input.credits !== undefined) checked.credits = input.credits === null ? null : checkCredits(input.credits, ctx.clock.now());
  if (input.identityId !== undefined && input.identityId !== null) {
    requirePermission(actor, 'identities:write');
    checked.identityId = (await loadIdentity(ctx.store, actor.accountId, input.identityId, 'identityId')).id;
  } else if (input.identityId === null) {
    checked.identityId = null;
  }
  return checked;
}

/** Refuses an edit of `limits`, `identityId` or `credits` of the actor's own token or of any token it was made by. */
export async function requireNotOwnChain(ctx: ServiceContext, actor: Actor, id: string, field: string): Promise<void> {
  const chain = await actorChain(ctx, actor);
  if (chain.some((t) => t.id === id)) {
    throw new TesseraError('FORBIDDEN', `${field}: a token cannot change the limits, identity or credits of itself or of a token on its own chain of creators`, { field });
  }
}

/**
 * Refuses a change of the credits of the identity of the actor's token or of a token it was made by: spending its
 * own identity's credits is what its checks do, so topping them up itself would lift its own constraint.
 */
export async function requireNotOwnIdentity(ctx: ServiceContext, actor: Actor, identityId: string): Promise<void> {
  const chain = await actorChain(ctx, actor);
  if (chain.some((t) => t.identityId === identityId)) {
    throw new TesseraError('FORBIDDEN', 'credits: a token cannot change the credits of its own identity or of the identity of a token that made it', { field: 'credits' });
  }
}

/** The actor's token and every token it was made by (none for the CLI on the database). */
async function actorChain(ctx: ServiceContext, actor: Actor): Promise<TokenRecord[]> {
  if (actor.tokenId === null) return [];
  const own = await ctx.store.getToken(actor.accountId, actor.tokenId);
  if (own === undefined) return [];
  return [own, ...(await readAncestors(ctx.store, own)).filter((a): a is TokenRecord => a !== null)];
}
