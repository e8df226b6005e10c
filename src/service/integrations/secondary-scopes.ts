/** A secondary endpoint token's scopes, derived from the primaries it is assigned to, and kept in step with them. */
import { emitEvent } from '../webhooks/emit-event.js';
import { primaryScope, type CompiledCatalog, type PrimaryMethod } from '../../core/catalog/index.js';
import type { AccountId, Scope, TokenRecord } from '../../core/types.js';
import type { EndpointAssignment, EndpointSettingsRecord, StoreOps } from '../../store/store.js';
import type { Actor } from '../actor.js';
import { auditSnapshot } from '../tokens/token-view.js';
import { effectiveSettings, primaryMethods } from './endpoint-settings.js';

/**
 * A secondary's scopes: those of the primaries it is assigned to, on endpoints in `token` mode whose method
 * currently has a primary. The ordinary scope check is then all that authorises it.
 */
export async function secondaryScopes(
  tx: Pick<StoreOps, 'getEndpointSettings'>,
  catalog: CompiledCatalog,
  accountId: AccountId,
  assignments: readonly EndpointAssignment[],
): Promise<Scope[]> {
  const settings = new Map<string, EndpointSettingsRecord | undefined>();
  const scopes = new Set<string>();
  for (const a of assignments) {
    if (!settings.has(a.endpointId)) settings.set(a.endpointId, await effectiveSettings(tx, catalog, accountId, a.endpointId));
    const s = settings.get(a.endpointId);
    if (!s || s.mode !== 'token' || !primaryMethods(s).includes(a.method as PrimaryMethod)) continue;
    const scope = primaryScope(catalog, a.endpointId, a.method as PrimaryMethod);
    if (scope !== undefined) scopes.add(scope);
  }
  return [...scopes].sort() as Scope[];
}

/**
 * After an endpoint's settings changed, brings every secondary assigned to it to its new scopes (each change
 * audited as a token update). Returns the tokens changed, for cache invalidation after commit.
 */
export async function resyncSecondaries(
  tx: StoreOps,
  catalog: CompiledCatalog,
  actor: Actor,
  endpointId: string,
  nowMs: number,
): Promise<TokenRecord[]> {
  const now = new Date(nowMs).toISOString();
  const ids = [...new Set((await tx.listAssignments({ accountId: actor.accountId, endpointId })).map((a) => a.tokenId))];
  const changed: TokenRecord[] = [];
  for (const id of ids) {
    const token = await tx.getToken(actor.accountId, id);
    if (!token || token.revokedAt !== null) continue;
    const scopes = await secondaryScopes(tx, catalog, actor.accountId, await tx.listAssignments({ accountId: actor.accountId, tokenId: id }));
    if (scopes.join(' ') === token.scopes.join(' ')) continue;
    const next: TokenRecord = { ...token, scopes, updatedAt: now, version: token.version + 1 };
    await tx.updateToken(next);
    await tx.appendAudit({
      accountId: actor.accountId,
      actor: actor.tokenId,
      action: 'token.update',
      targetType: 'token',
      targetId: id,
      before: auditSnapshot(token, nowMs),
      after: { ...auditSnapshot(next, nowMs), reason: `endpoint ${endpointId} settings changed` },
      at: now,
    });
    await emitEvent(tx, actor.accountId, 'token.updated', { token: auditSnapshot(next, nowMs), actor: actor.tokenId, reason: `endpoint ${endpointId} settings changed` }, now);
    changed.push(next);
  }
  return changed;
}
