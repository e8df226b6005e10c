/** Rotation: a new secret for the same token id and settings, the old one kept alive for an optional overlap. */
import { emitEvent } from '../webhooks/emit-event.js';
import { badRequest } from '../../core/errors.js';
import { generateSecret, hashSecret, secretHint } from '../../core/token-format.js';
import { requirePermission, type Actor } from '../actor.js';
import { getAccount } from '../account/get-account.js';
import { nowIso, type ServiceContext } from '../context.js';
import type { TokenRecord } from '../../core/types.js';
import { loadToken, requireCanActOn, requireChainRoom, requireNotRevoked } from './token-guards.js';
import { auditSnapshot, toTokenView } from './token-view.js';
import type { CreatedToken } from './create-token.js';

/** Longest overlap a caller may ask for: a week, enough for any deploy, short enough to bound a leak. */
export const MAX_OVERLAP_SECONDS = 7 * 24 * 3600;

export async function rotateToken(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  options: { overlapSeconds?: number } = {},
): Promise<CreatedToken & { previousSecretExpiresAt: string }> {
  if (actor.tokenId !== id) requirePermission(actor, 'tokens:update');
  return rotateSecret(ctx, actor, id, options);
}

/**
 * The rotation itself, for use cases with their own permission check (regenerating an endpoint's primary token
 * needs `endpoints:manage`). The actor must still be able to act on the token (no escalation).
 */
export async function rotateSecret(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  options: {
    overlapSeconds?: number;
    /**
     * The actor becomes the token's parent, as if it had just made it (a regenerated primary belongs to whoever
     * holds its new secret: revoking that token revokes it, docs/security.md); its expiry and addresses are inherited.
     */
    adopt?: boolean;
  } = {},
): Promise<CreatedToken & { previousSecretExpiresAt: string }> {
  const overlap = options.overlapSeconds ?? 0;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_OVERLAP_SECONDS) {
    throw badRequest('overlapSeconds', `must be a whole number from 0 to ${MAX_OVERLAP_SECONDS}`);
  }
  const account = await getAccount(ctx, actor);
  const nowMs = ctx.clock.now();
  const now = nowIso(ctx);
  const secret = generateSecret(account.tokenPrefix, ctx.randomBytes);
  const hash = hashSecret(secret);

  const { catalog } = await ctx.catalogs.get(actor.accountId);
  const rotated = await ctx.store.transaction(async (tx) => {
    const token = await loadToken(tx, actor, id);
    requireNotRevoked(token);
    requireCanActOn(catalog, actor, token);
    // The old secret never outlives the token itself.
    const overlapEndMs = Math.min(nowMs + overlap * 1000, token.expiresAt ? Date.parse(token.expiresAt) : Infinity);
    const previousSecretExpiresAt = new Date(Math.max(overlapEndMs, nowMs)).toISOString();
    await tx.expireSecrets(token.accountId, token.id, previousSecretExpiresAt);
    await tx.insertSecret({ hash, tokenId: token.id, accountId: token.accountId, createdAt: now, expiresAt: null });
    const adopted = options.adopt && actor.tokenId !== null && actor.tokenId !== token.id ? adoptedBy(actor) : {};
    const next = { ...token, ...adopted, hint: secretHint(secret), updatedAt: now, version: token.version + 1 };
    await tx.updateToken(next);
    await tx.appendAudit({
      accountId: token.accountId,
      actor: actor.tokenId,
      action: 'token.rotate',
      targetType: 'token',
      targetId: token.id,
      before: auditSnapshot(token, nowMs),
      after: { ...auditSnapshot(next, nowMs), previousSecretExpiresAt },
      at: now,
    });
    await emitEvent(tx, token.accountId, 'token.rotated', { token: auditSnapshot(next, nowMs), actor: actor.tokenId, previousSecretExpiresAt }, now);
    return { token: next, previousSecretExpiresAt };
  });
  return { token: toTokenView(rotated.token, nowMs), secret, previousSecretExpiresAt: rotated.previousSecretExpiresAt };
}

/** A token's parent and inherited limits when `actor` takes it over (see rotateSecret's `adopt`). */
function adoptedBy(actor: Actor): Pick<TokenRecord, 'parentId' | 'expiresAt' | 'allowedIps'> {
  requireChainRoom(actor);
  const expiresAtMs = actor.limits?.expiresAtMs ?? null;
  return {
    parentId: actor.tokenId,
    expiresAt: expiresAtMs === null ? null : new Date(expiresAtMs).toISOString(),
    allowedIps: [...(actor.limits?.allowedIps[0] ?? [])],
  };
}
