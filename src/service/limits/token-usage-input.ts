/**
 * A token's usage-control fields (`identityId`, `limits`) on create and edit, and who may set them (docs/limits.md):
 * attaching a token to an identity spends that identity's shared budget, so it needs `identities:write`; and no token
 * may change the limits or identity of itself or of a token on its own chain of creators (that would lift its own
 * constraints, docs/security.md).
 */
import { TesseraError } from '../../core/errors.js';
import { checkRateLimits, type RateLimitInput, type RateLimitRule } from '../../core/usage-limits.js';
import type { TokenId } from '../../core/types.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { loadIdentity } from '../identities/identity-input.js';
import { readAncestors } from '../tokens/token-chain.js';

export interface TokenUsageInput {
  identityId?: string | null;
  limits?: RateLimitInput[];
}

/** The checked fields, only those given. */
export async function checkTokenUsageInput(
  ctx: ServiceContext,
  actor: Actor,
  input: TokenUsageInput,
): Promise<{ identityId?: string | null; limits?: RateLimitRule[] }> {
  const checked: { identityId?: string | null; limits?: RateLimitRule[] } = {};
  if (input.limits !== undefined) checked.limits = checkRateLimits(input.limits);
  if (input.identityId !== undefined && input.identityId !== null) {
    requirePermission(actor, 'identities:write');
    checked.identityId = (await loadIdentity(ctx.store, actor.accountId, input.identityId, 'identityId')).id;
  } else if (input.identityId === null) {
    checked.identityId = null;
  }
  return checked;
}

/** Refuses an edit of `limits` or `identityId` of the actor's own token or of any token it was made by. */
export async function requireNotOwnChain(ctx: ServiceContext, actor: Actor, id: string, field: string): Promise<void> {
  if (actor.tokenId === null) return;
  const own = await ctx.store.getToken(actor.accountId, actor.tokenId);
  const chain = new Set<string>([actor.tokenId]);
  if (own !== undefined) for (const ancestor of await readAncestors(ctx.store, own)) if (ancestor !== null) chain.add(ancestor.id);
  if (chain.has(id as TokenId)) {
    throw new TesseraError('FORBIDDEN', `${field}: a token cannot change the limits or identity of itself or of a token on its own chain of creators`, { field });
  }
}
