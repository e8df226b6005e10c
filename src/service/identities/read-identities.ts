/** Reading identities: one, or a page of them newest first. */
import type { Page } from '../../store/store.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { checkPageSize } from '../tokens/read-tokens.js';
import { loadIdentity } from './identity-input.js';
import { toIdentityView, type IdentityView } from './identity-view.js';

export interface ListIdentitiesInput {
  externalId?: string;
  limit?: number;
  cursor?: string;
}

export async function listIdentities(ctx: ServiceContext, actor: Actor, input: ListIdentitiesInput): Promise<Page<IdentityView>> {
  requirePermission(actor, 'identities:read');
  const page = await ctx.store.listIdentities({
    accountId: actor.accountId,
    limit: checkPageSize(input.limit),
    ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
    ...(input.cursor ? { cursor: input.cursor } : {}),
  });
  return { items: page.items.map((identity) => toIdentityView(identity, ctx.clock.now())), nextCursor: page.nextCursor };
}

export async function getIdentity(ctx: ServiceContext, actor: Actor, id: string): Promise<IdentityView> {
  requirePermission(actor, 'identities:read');
  return toIdentityView(await loadIdentity(ctx.store, actor.accountId, id), ctx.clock.now());
}
