/** Creating an identity: the operator's user or customer, to which tokens and shared limits belong. */
import { newId } from '../../core/ids.js';
import { checkCredits, type CreditsInput } from '../../core/credits.js';
import { checkRateLimits, type IdentityRecord, type RateLimitInput } from '../../core/usage-limits.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { checkMetadata, checkOptionalText, limits as fieldLimits } from '../tokens/token-input.js';
import { auditIdentity, checkExternalId, externalIdConflict } from './identity-input.js';
import { toIdentityView, type IdentityView } from './identity-view.js';

export interface CreateIdentityInput {
  externalId: string;
  name?: string | null;
  metadata?: Record<string, unknown> | null;
  limits?: RateLimitInput[];
  credits?: CreditsInput | null;
}

export async function createIdentity(ctx: ServiceContext, actor: Actor, input: CreateIdentityInput): Promise<IdentityView> {
  requirePermission(actor, 'identities:write');
  const nowMs = ctx.clock.now();
  const now = new Date(nowMs).toISOString();
  const identity: IdentityRecord = {
    id: newId('identity', ctx.randomBytes),
    accountId: actor.accountId,
    externalId: checkExternalId(input.externalId),
    name: checkOptionalText(input.name, 'name', fieldLimits.nameLength),
    metadata: checkMetadata(input.metadata),
    limits: checkRateLimits(input.limits ?? []),
    credits: input.credits === undefined || input.credits === null ? null : checkCredits(input.credits, nowMs),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await externalIdConflict(identity.externalId, () =>
    ctx.store.transaction(async (tx) => {
      await tx.insertIdentity(identity);
      await auditIdentity(tx, actor, 'identity.create', { id: identity.id, before: null, after: toIdentityView(identity, nowMs), at: now });
    }),
  );
  return toIdentityView(identity, nowMs);
}
