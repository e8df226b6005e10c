/** Revocation: final, idempotent, and cascading to every token the revoked one created. */
import { emitEvent } from '../webhooks/emit-event.js';
import type { TokenRecord } from '../../core/types.js';
import type { StoreOps } from '../../store/store.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { requireManagerRemains } from '../account/account-guard.js';
import { loadToken, requireCanActOn, requireNotPrimary } from './token-guards.js';
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
    requireNotPrimary(token, 'revoke');
    requireCanActOn(catalog, actor, token);
    return revokeWithin(tx, actor, token, nowMs);
  });
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
  const descendants = await tx.listDescendants(actor.accountId, token.id);
  await requireManagerRemains(tx, actor.accountId, [token, ...descendants].filter((t) => t.revokedAt === null), nowMs, `revoking token ${token.id}`);
  const revoked = await revokeAll(tx, actor, [token, ...descendants], token.id, nowMs);
  const final = revoked.find((t) => t.id === token.id) ?? token;
  if (revoked.length > 0) await emitRevoked(tx, actor.tokenId, final, revoked, nowMs);
  return { token: final, revoked };
}

/** One `token.revoked` event for a revocation, naming the descendants it cascaded to (not one event per token). */
export async function emitRevoked(
  tx: StoreOps,
  actor: string | null,
  token: TokenRecord,
  revoked: readonly TokenRecord[],
  nowMs: number,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const cascaded = revoked.filter((t) => t.id !== token.id).map((t) => t.id);
  const data = { token: auditSnapshot(token, nowMs), actor, cascaded, ...extra };
  await emitEvent(tx, token.accountId, 'token.revoked', data, new Date(nowMs).toISOString());
}

/**
 * Revokes the live ones of `targets`, auditing each; those other than `origin` as cascaded from it (its
 * descendants, revoked because it was revoked or deleted).
 */
export async function revokeAll(tx: StoreOps, actor: Actor, targets: readonly TokenRecord[], origin: string, nowMs: number): Promise<TokenRecord[]> {
  const now = new Date(nowMs).toISOString();
  const revoked: TokenRecord[] = [];
  for (const target of targets) {
    if (target.revokedAt !== null) continue;
    const next: TokenRecord = { ...target, revokedAt: now, updatedAt: now, version: target.version + 1 };
    await tx.updateToken(next);
    await tx.appendAudit({
      accountId: target.accountId,
      actor: actor.tokenId,
      action: 'token.revoke',
      targetType: 'token',
      targetId: target.id,
      before: auditSnapshot(target, nowMs),
      after: { ...auditSnapshot(next, nowMs), ...(target.id === origin ? {} : { cascadedFrom: origin }) },
      at: now,
    });
    revoked.push(next);
  }
  return revoked;
}
