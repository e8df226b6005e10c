/**
 * The current state of rate limits (issue 19): for a token, every named limit a check of it consumes (its own, those
 * of the tokens that made it, its identity's and theirs); for an identity, its shared ones. Read without consuming,
 * as a check would find them now.
 */
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { loadIdentity } from '../identities/identity-input.js';
import { readAncestors } from '../tokens/token-chain.js';
import { loadToken } from '../tokens/token-guards.js';
import { holdersOf } from './apply-limits.js';
import { chainHolders } from './chain-holders.js';
import { toLimitStateView, type LimitStateView } from './limit-view.js';

export async function tokenRateLimits(ctx: ServiceContext, actor: Actor, id: string): Promise<LimitStateView[]> {
  // As with reading the token: a token may always read its own.
  if (actor.tokenId !== id) requirePermission(actor, 'tokens:read');
  const token = await loadToken(ctx.store, actor, id);
  const ancestors = await readAncestors(ctx.store, token);
  const chain = chainHolders([token, ...ancestors.filter((a) => a !== null)]);
  // The holders a check of the token consumes from, as the check itself makes them (apply-limits.ts).
  const holders = [...holdersOf(chain).limits];
  const nowMs = ctx.clock.now();
  for (const identityId of chain.identityIds) {
    const identity = await ctx.identities.load(token.accountId, identityId, nowMs);
    if (identity !== null) holders.push(...holdersOf(identity).limits);
  }
  return (await ctx.rateLimiter.state(token.accountId, holders, nowMs)).map(toLimitStateView);
}

export async function identityRateLimits(ctx: ServiceContext, actor: Actor, id: string): Promise<LimitStateView[]> {
  requirePermission(actor, 'identities:read');
  const identity = await loadIdentity(ctx.store, actor.accountId, id);
  return (await ctx.rateLimiter.state(identity.accountId, holdersOf(identity).limits, ctx.clock.now())).map(toLimitStateView);
}
