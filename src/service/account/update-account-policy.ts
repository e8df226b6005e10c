/** Changing an account's policy (lifetime limit, presentation schemes), audited. */
import { badRequest, notFound } from '../../core/errors.js';
import type { AccountPolicy, AccountRecord } from '../../core/types.js';
import { requirePermission, type Actor } from '../actor.js';
import { nowIso, type ServiceContext } from '../context.js';

/** Longest `maxLifetimeSeconds`: 100 years. Beyond it, now + the limit leaves the range of dates Tessera stores. */
export const MAX_POLICY_LIFETIME_SECONDS = 100 * 365 * 86_400;

/** Longest `dormantTokens.disableAfterDays`: ten years. */
export const MAX_DORMANT_DAYS = 3650;

export async function updateAccountPolicy(
  ctx: ServiceContext,
  actor: Actor,
  patch: Partial<AccountPolicy>,
): Promise<AccountRecord> {
  requirePermission(actor, 'account:manage');
  if (patch.maxLifetimeSeconds !== undefined && patch.maxLifetimeSeconds !== null) {
    const seconds = patch.maxLifetimeSeconds;
    if (!Number.isInteger(seconds) || seconds < 60 || seconds > MAX_POLICY_LIFETIME_SECONDS) {
      throw badRequest('maxLifetimeSeconds', `must be a whole number of seconds from 60 to ${MAX_POLICY_LIFETIME_SECONDS} (100 years), or null`);
    }
  }
  const dormant = patch.dormantTokens;
  if (dormant !== undefined && dormant !== null) {
    if (!Number.isInteger(dormant.disableAfterDays) || dormant.disableAfterDays < 1 || dormant.disableAfterDays > MAX_DORMANT_DAYS) {
      throw badRequest('dormantTokens.disableAfterDays', `must be a whole number of days from 1 to ${MAX_DORMANT_DAYS}`);
    }
    if (!Number.isInteger(dormant.warnBeforeDays) || dormant.warnBeforeDays < 0 || dormant.warnBeforeDays >= dormant.disableAfterDays) {
      throw badRequest('dormantTokens.warnBeforeDays', 'must be a whole number of days from 0 to less than disableAfterDays');
    }
  }
  const updated = await ctx.store.transaction(async (tx) => {
    const before = await tx.getAccount(actor.accountId);
    if (!before) throw notFound(`account ${actor.accountId}`);
    const policy: AccountPolicy = { ...before.policy, ...definedOnly(patch) };
    await tx.updateAccountPolicy(actor.accountId, policy);
    await tx.appendAudit({
      accountId: actor.accountId,
      actor: actor.tokenId,
      action: 'account.update',
      targetType: 'account',
      targetId: actor.accountId,
      before: { policy: before.policy },
      after: { policy },
      at: nowIso(ctx),
    });
    return { ...before, policy };
  });
  return updated;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
