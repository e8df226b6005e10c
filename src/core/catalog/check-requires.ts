/** Token-creation rule: a scope that `requires` another (`read:messages` → `user_id:{user_id}`) needs it on the token. */
import { instantiate, printScopeTemplate, unify } from './scope-template.js';
import { holdsSome, type PermissionSet } from './permission-set.js';
import type { DefinitionIndex } from './definition-index.js';

export type RequiresResult = { ok: true } | { ok: false; scope: string; requires: string; message: string };

/** Checks every scope the token would hold, including those it gets through `includes`. */
export function checkRequires(set: PermissionSet, defs: DefinitionIndex): RequiresResult {
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
