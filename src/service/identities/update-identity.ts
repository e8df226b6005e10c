/** Editing and deleting an identity; both audited. Deleting keeps its tokens working, without it (as Unkey does). */
import { TesseraError } from '../../core/errors.js';
import { checkCredits, type CreditsInput } from '../../core/credits.js';
import { requireNotOwnIdentity } from '../limits/token-usage-input.js';
import { checkRateLimits, type IdentityRecord, type RateLimitInput } from '../../core/usage-limits.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { checkMetadata, checkOptionalText, limits as fieldLimits } from '../tokens/token-input.js';
import { auditIdentity, checkExternalId, externalIdConflict, loadIdentity } from './identity-input.js';
import { toIdentityView, type IdentityView } from './identity-view.js';

export interface UpdateIdentityInput {
  externalId?: string;
  name?: string | null;
  metadata?: Record<string, unknown> | null;
  limits?: RateLimitInput[];
  /** Replaces the identity's credits (balance and rule); `null` removes them. */
  credits?: CreditsInput | null;
  expectedVersion?: number;
}

export async function updateIdentity(ctx: ServiceContext, actor: Actor, id: string, input: UpdateIdentityInput): Promise<IdentityView> {
  requirePermission(actor, 'identities:write');
  const nowMs = ctx.clock.now();
  const now = new Date(nowMs).toISOString();
  const externalId = input.externalId === undefined ? undefined : checkExternalId(input.externalId);
  const credits = input.credits === undefined ? undefined : input.credits === null ? null : checkCredits(input.credits, nowMs);
  if (credits !== undefined) await requireNotOwnIdentity(ctx, actor, id);
  const updated = await externalIdConflict(externalId ?? '', () =>
    ctx.store.transaction(async (tx) => {
      const identity = await loadIdentity(tx, actor.accountId, id);
      if (input.expectedVersion !== undefined && input.expectedVersion !== identity.version) {
        throw new TesseraError('PRECONDITION_FAILED', `identity ${id} is at version ${identity.version}, not ${input.expectedVersion}; reload it and try again`);
      }
      const next: IdentityRecord = {
        ...identity,
        ...(externalId !== undefined ? { externalId } : {}),
        ...(input.name !== undefined ? { name: checkOptionalText(input.name, 'name', fieldLimits.nameLength) } : {}),
        ...(input.metadata !== undefined ? { metadata: checkMetadata(input.metadata) } : {}),
        ...(input.limits !== undefined ? { limits: checkRateLimits(input.limits) } : {}),
        ...(credits !== undefined ? { credits } : {}),
        updatedAt: now,
        version: identity.version + 1,
      };
      await tx.updateIdentity(next);
      if (credits !== undefined) await tx.setCredits({ accountId: actor.accountId, holder: 'identity', holderId: id }, credits);
      await auditIdentity(tx, actor, 'identity.update', { id, before: toIdentityView(identity, nowMs), after: toIdentityView(next, nowMs), at: now });
      return next;
    }),
  );
  return toIdentityView(updated, nowMs);
}

export interface DeletedIdentity {
  id: string;
  /** Tokens that belonged to it: they keep working, without an identity. */
  detachedTokens: string[];
}

export async function deleteIdentity(ctx: ServiceContext, actor: Actor, id: string): Promise<DeletedIdentity> {
  requirePermission(actor, 'identities:write');
  const nowMs = ctx.clock.now();
  const now = new Date(nowMs).toISOString();
  return ctx.store.transaction(async (tx) => {
    const identity = await loadIdentity(tx, actor.accountId, id);
    const detached = (await tx.deleteIdentity(actor.accountId, id, now)) ?? [];
    await auditIdentity(tx, actor, 'identity.delete', { id, before: toIdentityView(identity, nowMs), after: { detachedTokens: detached }, at: now });
    return { id, detachedTokens: detached };
  });
}
