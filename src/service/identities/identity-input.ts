/** Checks the fields a caller may set on an identity; every problem names its field. */
import { badRequest, notFound, TesseraError } from '../../core/errors.js';
import type { AccountId, AuditAction } from '../../core/types.js';
import type { Actor } from '../actor.js';
import { limitBounds, type IdentityRecord } from '../../core/usage-limits.js';
import type { StoreOps } from '../../store/store.js';
import { StoreConflictError } from '../../store/store.js';

/** Printable, no spaces at either end: the operator's own user or customer id. */
const EXTERNAL_ID = /^\S(?:[^\p{Cc}]*\S)?$/u;

export function checkExternalId(value: string): string {
  if (value.length === 0 || value.length > limitBounds.externalIdLength || !EXTERNAL_ID.test(value)) {
    throw badRequest('externalId', `must be 1 to ${limitBounds.externalIdLength} printable characters, without spaces at either end`);
  }
  return value;
}

/**
 * The identity in the caller's account. Another account's identity is not found either, with the same message:
 * its existence is not told (docs/limits.md).
 */
export async function loadIdentity(store: Pick<StoreOps, 'getIdentity'>, accountId: AccountId, id: string, field?: string): Promise<IdentityRecord> {
  const identity = await store.getIdentity(accountId, id);
  if (identity !== undefined) return identity;
  if (field === undefined) throw notFound(`identity ${id}`);
  throw new TesseraError('NOT_FOUND', `${field}: identity ${id} not found`, { field });
}

/** Runs a write, turning a taken external id into a 409 naming it. */
export async function externalIdConflict<T>(externalId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof StoreConflictError) {
      throw new TesseraError('CONFLICT', `externalId: an identity with external id ${externalId} already exists in this account`, { field: 'externalId' });
    }
    throw error;
  }
}

/** Appends an identity's audit event in the caller's transaction: its view before and after (never a secret: it has none). */
export async function auditIdentity(
  tx: Pick<StoreOps, 'appendAudit'>,
  actor: Actor,
  action: Extract<AuditAction, `identity.${string}`>,
  change: { id: string; before: unknown; after: unknown; at: string },
): Promise<void> {
  await tx.appendAudit({ accountId: actor.accountId, actor: actor.tokenId, action, targetType: 'identity', targetId: change.id, before: change.before, after: change.after, at: change.at });
}
