/**
 * What the endpoint-token use cases share (seed 004): resolving an endpoint, its settings, the methods that have a
 * primary, building system-managed tokens, and deriving a secondary's scopes from its assignments.
 */
import { badRequest, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import {
  integrationEndpoints,
  primaryScope,
  PRIMARY_METHODS,
  type CompiledCatalog,
  type IntegrationEndpoint,
  type PrimaryMethod,
} from '../../core/catalog/index.js';
import { generateSecret } from '../../core/token-format.js';
import type { AccountId, AccountRecord, Scope, TokenId, TokenKind, TokenRecord } from '../../core/types.js';
import type { EndpointAssignment, EndpointAuthMode, EndpointSettingsRecord, StoreOps } from '../../store/store.js';
import type { Actor } from '../actor.js';
import { insertNewToken, newTokenRecord } from '../tokens/token-record.js';
import { requireChainRoom } from '../tokens/token-guards.js';
import type { ServiceContext } from '../context.js';
import { auditSnapshot } from '../tokens/token-view.js';

export const ENDPOINT_AUTH_MODES = ['none', 'token', 'internal'] as const satisfies readonly EndpointAuthMode[];

export function requireEndpoint(catalog: CompiledCatalog, id: string, field = 'id'): IntegrationEndpoint {
  const endpoint = integrationEndpoints(catalog).get(id);
  if (!endpoint) {
    if (field === 'id') throw notFound(`endpoint ${id}`);
    throw badRequest(field, `the catalog has no token-authenticated endpoint ${id}`);
  }
  return endpoint;
}

export function checkMethod(method: string, field = 'method'): PrimaryMethod {
  const upper = method.toUpperCase();
  if (!(PRIMARY_METHODS as readonly string[]).includes(upper)) throw badRequest(field, `must be one of ${PRIMARY_METHODS.join(', ')}`);
  return upper as PrimaryMethod;
}

/**
 * Stored settings, or the starting point of an endpoint never configured: what the catalog declares, `auth: token`
 * (seed 004: token authentication is on, with POST and GET primaries). Its primaries are generated at first need —
 * the first `PUT /v1/endpoints/{id}/auth` by a manager holding their scopes, who becomes their parent and sees
 * their secrets once — never by a read, and never by applying the catalog (which may be done by a token that must
 * not hold them).
 */
export function settingsOrDefault(
  stored: EndpointSettingsRecord | undefined,
  accountId: AccountId,
  endpoint: IntegrationEndpoint,
): EndpointSettingsRecord {
  return stored ?? { accountId, endpointId: endpoint.id, mode: 'token', allowDelete: endpoint.allowDeleteDefault, primaries: {}, updatedAt: '' };
}

/** The settings of endpoint `id` (stored or the catalog's default); `undefined` when the catalog has no such endpoint. */
export async function effectiveSettings(
  tx: Pick<StoreOps, 'getEndpointSettings'>,
  catalog: CompiledCatalog,
  accountId: AccountId,
  id: string,
): Promise<EndpointSettingsRecord | undefined> {
  const endpoint = integrationEndpoints(catalog).get(id);
  return endpoint ? settingsOrDefault(await tx.getEndpointSettings(accountId, id), accountId, endpoint) : undefined;
}

/** POST and GET while the endpoint uses tokens (`token` or `internal`); DELETE too where deleting is allowed. */
export function primaryMethods(settings: Pick<EndpointSettingsRecord, 'mode' | 'allowDelete'>): PrimaryMethod[] {
  if (settings.mode === 'none') return [];
  return PRIMARY_METHODS.filter((m) => m !== 'DELETE' || settings.allowDelete);
}

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
    changed.push(next);
  }
  return changed;
}

export interface SystemTokenInput {
  kind: Exclude<TokenKind, 'standard'>;
  name: string;
  description: string | null;
  enabled: boolean;
  scopes: Scope[];
  metadata: Record<string, unknown>;
}

/**
 * A primary or secondary token record with a fresh secret. Its parent is the token that made it, like any token's
 * (docs/security.md): it holds no more than that token's chain, inherits its expiry and addresses, and is revoked
 * with it — a leaked manager token cannot mint integration credentials that outlive its revocation.
 */
export function newSystemToken(
  ctx: Pick<ServiceContext, 'randomBytes'>,
  account: AccountRecord,
  actor: Actor,
  input: SystemTokenInput,
  nowMs: number,
): { token: TokenRecord; secret: string } {
  requireChainRoom(actor);
  const secret = generateSecret(account.tokenPrefix, ctx.randomBytes);
  const token = newTokenRecord(
    {
      id: newId('token', ctx.randomBytes) as TokenId,
      accountId: account.id,
      kind: input.kind,
      name: input.name,
      description: input.description,
      scopes: input.scopes,
      enabled: input.enabled,
      expiresAt: actor.limits?.expiresAtMs == null ? null : new Date(actor.limits.expiresAtMs).toISOString(),
      allowedIps: [...(actor.limits?.allowedIps[0] ?? [])],
      createdBy: actor.tokenId,
      // Endpoint tokens belong to the token that made them: revoking or deleting it revokes them (docs/security.md).
      parentId: actor.tokenId,
      metadata: input.metadata,
    },
    secret,
    nowMs,
    ctx.randomBytes,
  );
  return { token, secret };
}

/** Inserts a system token with its first secret and audits its creation. */
export function insertSystemToken(tx: StoreOps, actor: Actor, token: TokenRecord, secret: string, nowMs: number, extra: object = {}): Promise<void> {
  return insertNewToken(tx, actor.tokenId, token, secret, nowMs, extra);
}
