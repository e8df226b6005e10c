/** Lists what a token can use: every declared scope and endpoint it reaches, fully or for some values. */
import type { CompiledCatalog, PermissionsInput } from './compiled-catalog.js';
import { familyOf } from './definition-index.js';
import { covers, overlaps, printScopePattern, type ScopePattern } from './scope-pattern.js';
import { instantiate } from './scope-template.js';
import type { PreparedPermissions } from './prepare-permissions.js';

export interface Capabilities {
  /** Declared scopes (as spelled in the catalog) the token can use; `partial` when only for some values. */
  scopes: { scope: string; access: 'full' | 'partial' }[];
  endpoints: { method: string; path: string; access: 'full' | 'partial' }[];
}

/**
 * @example
 * capabilities(catalog, { scopes: ['sms:manage'] }).endpoints // [{ method: 'POST', path: '/sms/2/text/advanced', access: 'full' }, …]
 */
export function capabilities(catalog: CompiledCatalog, perms: PermissionsInput): Capabilities {
  const set = catalog.prepare(perms);
  const scopes: Capabilities['scopes'] = [];
  for (const def of catalog.definitions.all) {
    const access = reach(catalog, set, familyOf(def));
    if (access) scopes.push({ scope: def.text, access });
  }
  const endpoints: Capabilities['endpoints'] = [];
  for (const e of catalog.endpoints.endpoints) {
    let best: 'full' | 'partial' | undefined;
    for (const t of e.scopes) {
      const pattern = instantiate(t);
      const a = reach(catalog, set, [pattern]);
      if (a === 'full' || (a === 'partial' && best === undefined)) best = a;
      if (best === 'full') break;
    }
    if (best) endpoints.push({ method: e.method, path: e.path, access: best });
  }
  return { scopes, endpoints };
}

/** `full` when the whole family is granted; `partial` when some held pattern reaches part of it, not wholly denied. */
function reach(catalog: CompiledCatalog, set: PreparedPermissions, family: readonly ScopePattern[]): 'full' | 'partial' | undefined {
  if (family.every((f) => catalog.checkScope(set, printScopePattern(f)).allowed)) return 'full';
  for (const f of family) {
    // Only a pattern with free values (params, ids) can be usable for some of them.
    if (!f.includes('*')) continue;
    for (const g of set.allow) {
      if (!overlaps(g.pattern, f)) continue;
      const meet = covers(f, g.pattern) ? g.pattern : f;
      if (!set.denies.some((d) => covers(d.pattern, meet))) return 'partial';
    }
  }
  return undefined;
}
