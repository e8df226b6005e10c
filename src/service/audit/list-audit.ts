/** Reading the audit log, filtered and paged. */
import { badRequest } from '../../core/errors.js';
import { auditActions, type AuditAction, type AuditEvent } from '../../core/types.js';
import type { Page } from '../../store/store.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { checkPageSize } from '../tokens/read-tokens.js';
import { checkTimestamp } from '../tokens/token-input.js';

export interface ListAuditInput {
  tokenId?: string;
  action?: AuditAction;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export async function listAudit(ctx: ServiceContext, actor: Actor, input: ListAuditInput): Promise<Page<AuditEvent>> {
  requirePermission(actor, 'audit:read');
  if (input.action !== undefined && !(auditActions as readonly string[]).includes(input.action)) {
    throw badRequest('action', `must be one of ${auditActions.join(', ')}`);
  }
  const from = checkTimestamp(input.from, 'from');
  const to = checkTimestamp(input.to, 'to');
  return ctx.store.listAudit({
    accountId: actor.accountId,
    ...(input.tokenId ? { tokenId: input.tokenId } : {}),
    ...(input.action ? { action: input.action } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    limit: checkPageSize(input.limit),
    ...(input.cursor ? { cursor: input.cursor } : {}),
  });
}
