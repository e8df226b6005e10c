/** Deletion removes the record (unlike revoke); bulk deletion is all-or-nothing with a report per id. */
import { emitEvent } from '../webhooks/emit-event.js';
import { TesseraError } from '../../core/errors.js';
import type { CompiledCatalog } from '../../core/catalog/index.js';
import type { TokenId, TokenRecord } from '../../core/types.js';
import { requirePermission, type Actor } from '../actor.js';
import { nowIso, type ServiceContext } from '../context.js';
import { requireManagerRemains } from '../account/account-guard.js';
import { revokeAll } from './revoke-token.js';
import { canActOn } from './token-guards.js';
import { auditSnapshot } from './token-view.js';

export type DeleteOutcome = 'deleted' | 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT';

export interface DeleteReport {
  deleted: string[];
  /** Descendants of the deleted tokens, revoked along with them (already-revoked ones are not listed). */
  cascaded: string[];
  results: { id: string; outcome: DeleteOutcome }[];
}

export const MAX_BULK_DELETE = 1000;

export async function deleteTokens(ctx: ServiceContext, actor: Actor, ids: readonly string[]): Promise<DeleteReport> {
  requirePermission(actor, 'tokens:delete');
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw new TesseraError('BAD_REQUEST', 'ids: must list at least one token id', { field: 'ids' });
  if (unique.length > MAX_BULK_DELETE) {
    throw new TesseraError('BAD_REQUEST', `ids: at most ${MAX_BULK_DELETE} per request`, { field: 'ids' });
  }
  const nowMs = ctx.clock.now();
  const now = nowIso(ctx);
  const { catalog } = await ctx.catalogs.get(actor.accountId);
  const deleted = await ctx.store.transaction(async (tx) => {
    const found: TokenRecord[] = [];
    const results: DeleteReport['results'] = [];
    for (const id of unique) {
      const token = await tx.getToken(actor.accountId, id as TokenId);
      const outcome = outcomeFor(catalog, actor, token);
      results.push({ id, outcome });
      if (token && outcome === 'deleted') found.push(token);
    }
    const failed = results.filter((r) => r.outcome !== 'deleted');
    if (failed.length > 0) {
      const code = failed.some((r) => r.outcome === 'FORBIDDEN') ? 'FORBIDDEN' : failed.some((r) => r.outcome === 'CONFLICT') ? 'CONFLICT' : 'NOT_FOUND';
      const failedIds = failed.map((r) => `${r.id} (${r.outcome === 'CONFLICT' ? 'a primary endpoint token: remove it through its endpoint' : r.outcome})`).join(', ');
      throw new TesseraError(code, `ids: nothing was deleted; cannot delete ${failedIds}`, {
        field: 'ids',
        details: { results: results.map((r) => (r.outcome === 'deleted' ? { ...r, outcome: 'ok' } : r)) },
      });
    }
    // A deleted token's descendants are revoked, never left to whatever is later created under its id.
    const deleting = new Set<string>(found.map((t) => t.id));
    const descendants = new Map<string, { origin: string; token: TokenRecord }>();
    for (const token of found) {
      for (const d of await tx.listDescendants(actor.accountId, token.id)) {
        if (!deleting.has(d.id) && !descendants.has(d.id)) descendants.set(d.id, { origin: token.id, token: d });
      }
    }
    const live = (tokens: readonly TokenRecord[]) => tokens.filter((t) => t.revokedAt === null);
    await requireManagerRemains(tx, actor.accountId, live([...found, ...[...descendants.values()].map((d) => d.token)]), nowMs, 'this deletion');
    const cascaded: TokenRecord[] = [];
    for (const { origin, token } of descendants.values()) cascaded.push(...(await revokeAll(tx, actor, [token], origin, nowMs)));
    await tx.deleteTokens(actor.accountId, found.map((t) => t.id));
    for (const token of found) {
      await tx.appendAudit({
        accountId: token.accountId,
        actor: actor.tokenId,
        action: 'token.delete',
        targetType: 'token',
        targetId: token.id,
        before: auditSnapshot(token, nowMs),
        after: null,
        at: now,
      });
      const revokedBelow = cascaded.filter((t) => descendants.get(t.id)?.origin === token.id).map((t) => t.id);
      await emitEvent(tx, token.accountId, 'token.deleted', { token: auditSnapshot(token, nowMs), actor: actor.tokenId, cascaded: revokedBelow }, now);
    }
    return { found, results, cascaded };
  });
  return { deleted: deleted.found.map((t) => t.id), cascaded: deleted.cascaded.map((t) => t.id), results: deleted.results };
}

function outcomeFor(catalog: CompiledCatalog, actor: Actor, token: TokenRecord | undefined): DeleteOutcome {
  if (!token) return 'NOT_FOUND';
  if (!canActOn(catalog, actor, token)) return 'FORBIDDEN';
  // A primary endpoint token goes with its endpoint's settings (see requireNotPrimary).
  return token.kind === 'primary' ? 'CONFLICT' : 'deleted';
}
