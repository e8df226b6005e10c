/** The advanced permission tree (services → groups → permissions) with each leaf marked, and the resource types. */
import type { CompiledCatalog } from './compiled-catalog.js';
import { readResourceGrant, resourcePattern, type ResourceGrant } from './resource-grant.js';

export interface TreePermission {
  scope: string;
  name: string;
  description?: string;
  /** Listed explicitly in the selection (or in one of its templates). */
  selected: boolean;
  /** Granted by the selection, explicitly or through includes and wildcards. */
  granted: boolean;
  /** The resource grant the scope spells (`*` for every resource or every action), when it spells one. */
  grant?: ResourceGrant;
}

export interface TreeGroup {
  id: string;
  name: string;
  description?: string;
  permissions: TreePermission[];
}

export interface TreeService {
  id: string;
  name: string;
  description?: string;
  groups: TreeGroup[];
}

/** A resource type as a console offers it: grants spelled by `pattern` with `{id}` and `{action}`. */
export interface TreeResourceType {
  type: string;
  name: string;
  description?: string;
  actions: { name: string; description?: string }[];
  /** The pattern with its default filled in: `<type>:{id}:{action}` when the catalog gives none. */
  pattern: string;
}

export interface TreeSelection {
  scopes?: readonly string[];
  templates?: readonly string[];
}

/**
 * Builds the tree the console shows under "Advanced options": picking permission sets marks their
 * scopes, and the operator then ticks or clears leaves. Unknown template ids are ignored here
 * (token creation reports them).
 *
 * @example
 * catalogTree(catalog, { templates: ['one-api-all-channels'] })[0]?.groups[0]?.permissions[0]?.selected
 */
export function catalogTree(catalog: CompiledCatalog, selection: TreeSelection = {}): TreeService[] {
  const chosen = new Set(selection.scopes ?? []);
  for (const id of selection.templates ?? []) {
    const t = (catalog.document.templates ?? []).find((x) => x.id === id);
    for (const s of t?.scopes ?? []) chosen.add(s);
  }
  const set = catalog.prepare({ scopes: [...chosen] });
  const describe = new Map(catalog.definitions.all.map((d) => [d.text, d]));
  const resources = catalog.document.resources ?? [];
  return (catalog.document.services ?? []).map((svc) => ({
    id: svc.id,
    name: svc.name,
    ...(svc.description === undefined ? {} : { description: svc.description }),
    groups: svc.groups.map((g) => ({
      id: g.id,
      name: g.name,
      ...(g.description === undefined ? {} : { description: g.description }),
      permissions: g.permissions.map((p) => {
        const scope = typeof p === 'string' ? p : p.scope;
        const def = describe.get(scope);
        const name = (typeof p === 'string' ? undefined : p.name) ?? def?.name ?? scope;
        const description = (typeof p === 'string' ? undefined : p.description) ?? def?.description;
        const grant = readResourceGrant(resources, scope);
        return {
          scope,
          name,
          ...(description === undefined ? {} : { description }),
          selected: chosen.has(scope),
          granted: catalog.checkScope(set, scope).allowed || catalog.isSubset({ scopes: [scope] }, set).ok,
          ...(grant === undefined ? {} : { grant }),
        };
      }),
    })),
  }));
}

/**
 * The catalog's resource types (IoT-style grants: type × one resource or all × some actions or all), so that a
 * client can offer and name them without reading the catalog's source.
 *
 * @example
 * catalogResourceTypes(catalog).map((r) => r.pattern) // ['device:{id}:{action}', …]
 */
export function catalogResourceTypes(catalog: CompiledCatalog): TreeResourceType[] {
  return (catalog.document.resources ?? []).map((r) => ({
    type: r.type,
    name: r.name,
    ...(r.description === undefined ? {} : { description: r.description }),
    actions: r.actions.map((a) => ({ name: a.name, ...(a.description === undefined ? {} : { description: a.description }) })),
    pattern: resourcePattern(r),
  }));
}
