/** Revocation: final, idempotent, and cascading to every token the revoked one created. */
import type { TokenRecord } from '../core/types.js';
import { requirePermission, type Actor } from './actor.js';
import { nowIso, type ServiceContext } from './context.js';
import { loadToken, requireCanActOn } from './token-guards.js';
import { auditSnapshot, toTokenView, type TokenView } from './token-view.js';

export interface RevokeResult {
  token: TokenView;
  /** Ids of descendant tokens revoked along with it (already-revoked ones are not listed). */
  cascaded: string[];
}

export async function revokeToken(ctx: ServiceContext, actor: Actor, id: string): Promise<RevokeResult> {
  if (actor.tokenId !== id) requirePermission(actor, 'tokens:revoke');
  const nowMs = ctx.clock.now();
  const now = nowIso(ctx);
  const { catalog } = await ctx.catalogs.get(actor.accountId);
  const result = await ctx.store.transaction(async (tx) => {
    const token = await loadToken(tx, actor, id);
    requireCanActOn(catalog, actor, token);
    const descendants = await tx.listDescendants(actor.accountId, token.id);
    const live = [token, ...descendants].filter((t) => t.revokedAt === null);
    const revoked: TokenRecord[] = [];
    for (const target of live) {
      const next: TokenRecord = { ...target, revokedAt: now, updatedAt: now, version: target.version + 1 };
      await tx.updateToken(next);
      await tx.appendAudit({
        accountId: target.accountId,
        actor: actor.tokenId,
        action: 'token.revoke',
        targetType: 'token',
        targetId: target.id,
        before: auditSnapshot(target, nowMs),
        after: { ...auditSnapshot(next, nowMs), ...(target.id === token.id ? {} : { cascadedFrom: token.id }) },
        at: now,
      });
      revoked.push(next);
    }
    const final = revoked.find((t) => t.id === token.id) ?? token;
    return { token: final, revoked };
  });
  for (const t of result.revoked) ctx.tokenCache.invalidateToken(t.accountId, t.id);
  return {
    token: toTokenView(result.token, nowMs),
    cascaded: result.revoked.filter((t) => t.id !== result.token.id).map((t) => t.id),
  };
}

