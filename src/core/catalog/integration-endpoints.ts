/**
 * The integration platform's "endpoints": the catalog's token-authenticated endpoints grouped by the resource id of their scope.
 * `POST /api/endpoints/orders` with scope `endpoint:orders:POST` (resource type `endpoint`, pattern
 * `endpoint:{id}:{action}`) belongs to the integration endpoint `orders`, method POST.
 */
import type { CompiledCatalog } from './compiled-catalog.js';
import type { ResourceDoc } from './catalog-types.js';
import { matchResourcePattern } from './resource-grant.js';

/** The resource type whose `{id}` names an integration endpoint and whose `{action}` is the HTTP method. */
export const ENDPOINT_RESOURCE_TYPE = 'endpoint';

/** Methods that get a primary token: POST and GET always, DELETE only where deleting is allowed. */
export const PRIMARY_METHODS = ['POST', 'GET', 'DELETE'] as const;
export type PrimaryMethod = (typeof PRIMARY_METHODS)[number];

export interface IntegrationEndpoint {
  /** The resource id in the endpoint scopes, e.g. `orders`: the stable identity used by the API. */
  id: string;
  /** The catalog's routes of this endpoint, `METHOD /path` (what usage events record as the endpoint). */
  routes: string[];
  /** The catalog's `allowDelete` on any of its routes: the default until an operator sets it. */
  allowDeleteDefault: boolean;
}

/** Every integration endpoint the catalog declares (`auth: token`), by id, in declaration order. */
export function integrationEndpoints(catalog: CompiledCatalog): Map<string, IntegrationEndpoint> {
  const out = new Map<string, IntegrationEndpoint>();
  const resource = catalog.document.resources?.find((r) => r.type === ENDPOINT_RESOURCE_TYPE);
  if (!resource) return out;
  for (const endpoint of catalog.endpoints.endpoints) {
    if (endpoint.auth !== 'token') continue;
    const docScopes = catalog.document.endpoints?.find((e) => e.endpoint === `${endpoint.method} ${endpoint.path}`)?.scopes ?? [];
    for (const scope of docScopes) {
      const id = endpointIdOf(resource, scope, endpoint.method);
      if (id === undefined) continue;
      const entry = out.get(id) ?? { id, routes: [], allowDeleteDefault: false };
      entry.routes.push(`${endpoint.method} ${endpoint.path}`);
      entry.allowDeleteDefault ||= endpoint.allowDelete;
      out.set(id, entry);
    }
  }
  return out;
}

/** The scope a primary token of `id`/`method` holds, e.g. `endpoint:orders:POST`; undefined if the catalog cannot spell it. */
export function primaryScope(catalog: CompiledCatalog, id: string, method: PrimaryMethod): string | undefined {
  return catalog.resourceScope(ENDPOINT_RESOURCE_TYPE, id, method);
}

/** Reads `{id}` out of a scope spelled by the resource pattern, when its `{action}` is the route's method. */
function endpointIdOf(resource: ResourceDoc, scope: string, method: string): string | undefined {
  const match = matchResourcePattern(resource, scope);
  return match?.action === method && /^[A-Za-z0-9_.-]+$/.test(match.id) ? match.id : undefined;
}
