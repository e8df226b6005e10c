/** What a token can do, service by service, in its account's catalog. */
import { capabilities, type Capabilities } from '../../core/catalog/index.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { loadToken } from '../tokens/token-guards.js';

export async function tokenCapabilities(ctx: ServiceContext, actor: Actor, id: string): Promise<Capabilities & { tokenId: string }> {
  if (actor.tokenId !== id) requirePermission(actor, 'tokens:read');
  const token = await loadToken(ctx.store, actor, id);
  const { catalog } = await ctx.catalogs.get(actor.accountId);
  return { tokenId: token.id, ...capabilities(catalog, { scopes: token.scopes, deny: token.deny }) };
}
