/** Revocation: final, idempotent, and cascading to every token the revoked one created. */
import type { TokenRecord } from '../core/types.js';
import type { StoreOps } from '../store/store.js';
import { requirePermission, type Actor } from './actor.js';
import type { ServiceContext } from './context.js';
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
  const { catalog } = await ctx.catalogs.get(actor.accountId);
  const result = await ctx.store.transaction(async (tx) => {
    const token = await loadToken(tx, actor, id);
    requireCanActOn(catalog, actor, token);
    return revokeWithin(tx, actor, token, nowMs);
  });
  for (const t of result.revoked) ctx.tokenCache.invalidateToken(t.accountId, t.id);
  return {
    token: toTokenView(result.token, nowMs),
    cascaded: result.revoked.filter((t) => t.id !== result.token.id).map((t) => t.id),
  };
}

/**
 * Revokes `token` and its live descendants inside the caller's transaction, auditing each; the caller checks
 * permissions first and drops the revoked tokens from the cache after commit.
 */
export async function revokeWithin(
  tx: StoreOps,
  actor: Actor,
  token: TokenRecord,
  nowMs: number,
): Promise<{ token: TokenRecord; revoked: TokenRecord[] }> {
  const now = new Date(nowMs).toISOString();
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
}

