/** Token-creation rule: a scope that `requires` another (`read:messages` → `user_id:{user_id}`) needs it on the token. */
import { instantiate, printScopeTemplate, unify } from './scope-template.js';
import { holdsSome, type PreparedPermissions } from './prepare-permissions.js';
import { familyOf, type DefinitionIndex } from './definition-index.js';
import { covers, parseScopePattern } from './scope-pattern.js';

export type RequiresResult = { ok: true } | { ok: false; scope: string; requires: string; message: string };

/**
 * Checks every scope the token would hold, including those it gets through `includes`, then that the token is
 * not made only of scopes declared `standalone: false` (notifications API: `user_id:pigeon` alone grants nothing useful).
 */
export function checkRequires(set: PreparedPermissions, defs: DefinitionIndex): RequiresResult {
  const required = checkRequired(set, defs);
  return required.ok ? checkStandalone(set.scopes, defs) : required;
}

function checkStandalone(scopes: readonly string[], defs: DefinitionIndex): RequiresResult {
  if (defs.notStandalone.length === 0 || scopes.length === 0) return { ok: true };
  const dependent = (scope: string): string | undefined => {
    const pattern = parseScopePattern(scope);
    if (!pattern) return undefined;
    return defs.notStandalone.find((d) => familyOf(d).some((f) => covers(f, pattern)))?.text;
  };
  const declared = scopes.map(dependent);
  if (declared.some((d) => d === undefined)) return { ok: true };
  const scope = scopes[0]!;
  return {
    ok: false,
    scope,
    requires: 'another scope',
    message: `"${scope}" ("${declared[0]!}") cannot stand alone: combine it with a scope that says what the token may do`,
  };
}

function checkRequired(set: PreparedPermissions, defs: DefinitionIndex): RequiresResult {
  for (const g of set.allow) {
    for (const def of defs.withRequires) {
      const bindings = unify(g.pattern, def.template);
      if (!bindings) continue;
      for (const req of def.requires) {
        const own: Record<string, string> = {};
        for (const [k, v] of Object.entries(bindings)) if (v !== '*') own[k] = v;
        if (holdsSome(set, instantiate(req, own))) continue;
        const requires = printScopeTemplate(req);
        const via = g.text === g.source ? '' : ` (through "${def.text}")`;
        return {
          ok: false,
          scope: g.source,
          requires,
          message: `"${g.source}"${via} must be combined with a "${requires}" scope`,
        };
      }
    }
  }
  return { ok: true };
}
