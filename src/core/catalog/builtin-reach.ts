/**
 * Tessera's own permissions a catalog hands out through `includes` (the IoT platform's `admin`, "access to the whole
 * account", reaching `tokens:*`). Only an include that names them reaches them: a pattern starting with `*`
 * (`*`, `*:read`) means "everything this catalog declares", never the management API.
 */
import type { PreparedPermissions } from './prepare-permissions.js';
import type { DefinitionIndex } from './definition-index.js';
import { expandScopes } from './expand-scopes.js';
import { covers, overlaps, parseScopePattern, type ScopePattern } from './scope-pattern.js';
import { instantiate, printScopeTemplate } from './scope-template.js';

/**
 * Which of `names` (built-in permissions) the prepared permissions reach through includes that name them. The
 * closure is taken again without passing through any `*`-first pattern: `all` → `*` → `ops` → `tokens:*` must not
 * hand `tokens:*` to the holder of `all`.
 */
export function reachedThroughIncludes(set: PreparedPermissions, defs: DefinitionIndex, names: readonly string[]): string[] {
  if (!set.allow.some((g) => g.via.length > 0 && g.pattern[0] !== '*')) return [];
  const named = expandScopes(set.scopes, defs, (p) => p[0] === '*');
  if (!named.complete) return [];
  const reached = named.grants.filter((g) => g.via.length > 0);
  if (reached.length === 0) return [];
  return names.filter((name) => {
    const wanted = parseScopePattern(name);
    if (!wanted || !set.denyComplete) return false;
    return reached.some((g) => covers(g.pattern, wanted)) && !set.denies.some((d) => overlaps(d.pattern, wanted));
  });
}

export interface BuiltinInclude {
  /** `scopes[2].includes[1]`. */
  path: string;
  /** The include as written, e.g. `tokens:*`. */
  include: string;
  /** The built-in permissions it grants. */
  grants: string[];
}

/**
 * Every include of the catalog that names built-in permissions. A scope that has such an include and also a
 * `*`-first one (`*`, `*:x`) can mint anything its holder may create tokens for, so it counts as reaching all of them.
 */
export function builtinIncludes(defs: DefinitionIndex, names: readonly string[]): BuiltinInclude[] {
  const out: BuiltinInclude[] = [];
  for (const def of defs.all) {
    const own: BuiltinInclude[] = [];
    let open = false;
    def.includes.forEach((inc, j) => {
      const pattern: ScopePattern = instantiate(inc);
      if (pattern[0] === '*') {
        open = true;
        return;
      }
      const grants = names.filter((name) => {
        const p = parseScopePattern(name);
        return p !== undefined && covers(pattern, p);
      });
      if (grants.length > 0) own.push({ path: `${def.path}.includes[${j}]`, include: printScopeTemplate(inc), grants });
    });
    if (open && own.length > 0) own.push({ path: `${def.path}.includes`, include: '*', grants: [...names] });
    out.push(...own);
  }
  return out;
}
