/** Editing a token: descriptive fields always; scopes and deny only where the account allows it (the IoT platform vs the communications platform). */
import { emitEvent } from '../webhooks/emit-event.js';
import { TesseraError } from '../../core/errors.js';
import type { AuditAction, TokenRecord } from '../../core/types.js';
import type { WebhookEventType } from '../../core/webhooks.js';
import type { StoreOps } from '../../store/store.js';
import { isManager, requireManagerRemains } from '../account/account-guard.js';
import { requirePermission, type Actor } from '../actor.js';
import { getAccount } from '../account/get-account.js';
import { nowIso, type ServiceContext } from '../context.js';
import {
  checkAllowedIps,
  checkLifetime,
  checkMetadata,
  checkName,
  checkOptionalText,
  checkScopes,
  checkTimestamp,
  limits,
} from './token-input.js';
import {
  addressesWithin,
  bothBounds,
  boundsOf,
  boundsOfAncestors,
  expiryWithin,
  loadToken,
  requireCanActOn,
  requireCatalogRules,
  requireNotPrimary,
  requireNotRevoked,
  requireWithinActor,
  requireWithinAncestors,
} from './token-guards.js';
import type { Ancestor } from '../verify/token-cache.js';
import { readAncestors } from './token-chain.js';
import { auditSnapshot, toTokenView, type TokenView } from './token-view.js';
import type { RateLimitInput } from '../../core/usage-limits.js';
import type { CreditsInput } from '../../core/credits.js';
import { checkTokenUsageInput, requireNotOwnChain } from '../limits/token-usage-input.js';

/** The webhook event each audited token change emits. */
const eventTypeOf: Partial<Record<AuditAction, WebhookEventType>> = {
  'token.update': 'token.updated',
  'token.enable': 'token.enabled',
  'token.disable': 'token.disabled',
};

export interface UpdateTokenInput {
  name?: string;
  description?: string | null;
  profileId?: string | null;
  enabled?: boolean;
  allowedIps?: string[];
  validFrom?: string | null;
  expiresAt?: string | null;
  metadata?: Record<string, unknown> | null;
  scopes?: string[];
  deny?: string[];
  /** Usage control (docs/limits.md): never on the editor's own chain. */
  identityId?: string | null;
  limits?: RateLimitInput[];
  /** Replaces the token's credits (balance and rule); `null` removes them. */
  credits?: CreditsInput | null;
  /** Optimistic concurrency: refuse with PRECONDITION_FAILED unless the stored version matches. */
  expectedVersion?: number;
}

export async function updateToken(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  input: UpdateTokenInput,
): Promise<TokenView> {
  requirePermission(actor, 'tokens:update');
  const accountRecord = await getAccount(ctx, actor);
  const changesPermissions = input.scopes !== undefined || input.deny !== undefined;
  if (changesPermissions && !accountRecord.policy.permissionsEditable) {
    throw new TesseraError(
      'FORBIDDEN',
      `${input.scopes !== undefined ? 'scopes' : 'deny'}: permissions are fixed once a token is created in this account (policy permissionsEditable is false); create a new token instead`,
      { field: input.scopes !== undefined ? 'scopes' : 'deny' },
    );
  }
  const { catalog, version } = await ctx.catalogs.get(actor.accountId);
  const account = { ...accountRecord, hasCatalog: version !== null };
  const usage = await checkTokenUsageInput(ctx, actor, input);
  if (usage.limits !== undefined || usage.identityId !== undefined || usage.credits !== undefined) {
    await requireNotOwnChain(ctx, actor, id, usage.limits !== undefined ? 'limits' : usage.identityId !== undefined ? 'identityId' : 'credits');
  }
  return changeToken(ctx, actor, id, 'token.update', (token, nowMs, ancestors) => {
    const next: TokenRecord = { ...token };
    // Never beyond the editor's chain, nor the token's own ancestors'; so a token editing itself cannot widen.
    const bounds = bothBounds(boundsOf(actor), boundsOfAncestors(ancestors));
    if (input.name !== undefined) next.name = checkName(input.name);
    if (input.description !== undefined) {
      next.description = checkOptionalText(input.description, 'description', limits.descriptionLength);
    }
    if (input.profileId !== undefined) {
      next.profileId = checkOptionalText(input.profileId, 'profileId', limits.profileIdLength);
    }
    if (input.enabled !== undefined) next.enabled = input.enabled;
    if (input.allowedIps !== undefined) next.allowedIps = addressesWithin(bounds, checkAllowedIps(input.allowedIps));
    if (input.metadata !== undefined) next.metadata = checkMetadata(input.metadata);
    Object.assign(next, usage);
    if (input.validFrom !== undefined || input.expiresAt !== undefined) {
      const window = checkLifetime(
        {
          validFrom: input.validFrom !== undefined ? checkTimestamp(input.validFrom, 'validFrom') : token.validFrom,
          expiresAt: input.expiresAt !== undefined ? checkTimestamp(input.expiresAt, 'expiresAt') : token.expiresAt,
        },
        account.policy,
        nowMs,
        { creating: false },
      );
      next.validFrom = window.validFrom;
      next.expiresAt = input.expiresAt !== undefined ? expiryWithin(bounds, window.expiresAt, false) : window.expiresAt;
    }
    if (changesPermissions && token.kind !== 'standard') {
      // Endpoint tokens' scopes follow their endpoint and assignments (the integration platform); a direct edit would desynchronise them.
      throw new TesseraError('CONFLICT', `scopes: ${token.kind} endpoint token ${token.id} gets its scopes from its endpoint; change its assignments instead`, { field: 'scopes' });
    }
    if (changesPermissions) {
      next.scopes = input.scopes !== undefined ? [...new Set(checkScopes(input.scopes, 'scopes'))] : token.scopes;
      next.deny = input.deny !== undefined ? [...new Set(checkScopes(input.deny, 'deny'))] : token.deny;
      requireWithinActor(catalog, actor, { scopes: next.scopes, deny: next.deny }, 'scopes');
      requireWithinAncestors(catalog, ancestors, { scopes: next.scopes, deny: next.deny }, 'scopes');
      requireCatalogRules(catalog, account.hasCatalog, next.scopes, next.deny);
    }
    return next;
  }, input.expectedVersion);
}

export async function setTokenEnabled(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  enabled: boolean,
): Promise<TokenView> {
  requirePermission(actor, 'tokens:update');
  return changeToken(ctx, actor, id, enabled ? 'token.enable' : 'token.disable', (token) => ({ ...token, enabled }));
}

/**
 * The one path for edits of a live token: load, check, apply, bump the version, audit, drop cached copies.
 * Runs in one transaction, so a concurrent edit of the same token cannot interleave.
 */
export async function changeToken(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  action: AuditAction,
  apply: (token: TokenRecord, nowMs: number, ancestors: readonly Ancestor[]) => TokenRecord,
  expectedVersion?: number,
): Promise<TokenView> {
  const nowMs = ctx.clock.now();
  const now = nowIso(ctx);
  const { catalog } = await ctx.catalogs.get(actor.accountId);
  const updated = await ctx.store.transaction(async (tx) => {
    const token = await loadToken(tx, actor, id);
    requireNotPrimary(token, 'change');
    requireNotRevoked(token);
    requireCanActOn(catalog, actor, token);
    if (expectedVersion !== undefined && expectedVersion !== token.version) {
      throw new TesseraError(
        'PRECONDITION_FAILED',
        `token ${id} is at version ${token.version}, not ${expectedVersion}; reload it and try again`,
      );
    }
    const next = { ...apply(token, nowMs, await readAncestors(tx, token)), updatedAt: now, version: token.version + 1 };
    await requireManagerKept(tx, token, next, nowMs);
    await tx.updateToken(next);
    // The balance has its own statement (a record's update never writes it: see CreditOps).
    if (next.credits !== token.credits) await tx.setCredits({ accountId: token.accountId, holder: 'token', holderId: token.id }, next.credits);
    await tx.appendAudit({
      accountId: token.accountId,
      actor: actor.tokenId,
      action,
      targetType: 'token',
      targetId: token.id,
      before: auditSnapshot(token, nowMs),
      after: auditSnapshot(next, nowMs),
      at: now,
    });
    await emitEvent(tx, token.accountId, eventTypeOf[action] ?? 'token.updated', { token: auditSnapshot(next, nowMs), actor: actor.tokenId }, now);
    return next;
  });
  return toTokenView(updated, nowMs);
}

/**
 * A change that takes away a manager (disabling it, or any token above one, or narrowing its permissions) must
 * leave the account another live manager.
 */
async function requireManagerKept(tx: StoreOps, before: TokenRecord, after: TokenRecord, nowMs: number): Promise<void> {
  if (before.enabled && !after.enabled) {
    const affected = [before, ...(await tx.listDescendants(before.accountId, before.id))].filter((t) => t.revokedAt === null);
    await requireManagerRemains(tx, before.accountId, affected, nowMs, `disabling token ${before.id}`);
  } else if (isManager(before, nowMs) && !isManager(after, nowMs)) {
    await requireManagerRemains(tx, before.accountId, [before], nowMs, `this change to token ${before.id}`);
  }
}
