/** An integration endpoint's authentication settings: resolving the endpoint, its settings, the methods that have a primary. */
import { badRequest, notFound } from '../../core/errors.js';
import { integrationEndpoints, PRIMARY_METHODS, type CompiledCatalog, type IntegrationEndpoint, type PrimaryMethod } from '../../core/catalog/index.js';
import type { AccountId } from '../../core/types.js';
import type { EndpointAuthMode, EndpointSettingsRecord, StoreOps } from '../../store/store.js';

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
 * (the integration platform: token authentication is on, with POST and GET primaries). Its primaries are generated at first need —
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
