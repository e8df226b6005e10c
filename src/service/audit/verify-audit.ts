/** Checking the audit log's hash chain: a removed or altered entry breaks it. */
import { checkAuditChain, type AuditChainCheck } from '../../core/audit-chain.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';

export async function verifyAudit(ctx: ServiceContext, actor: Actor): Promise<AuditChainCheck> {
  requirePermission(actor, 'audit:read');
  const { events, head } = await ctx.store.readAuditChain(actor.accountId);
  return checkAuditChain(events, head);
}
