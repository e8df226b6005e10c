/** A required scope, parsed and expanded once per catalog, so repeated checks of it skip the string work. */
import { parseScopePattern, type ScopePattern } from './scope-pattern.js';
import { unify, type Bindings } from './scope-template.js';
import { expandScopes, type Expansion } from './expand-scopes.js';
import type { DefinitionIndex, ScopeDefinition } from './definition-index.js';

export interface Requirement {
  /** The scope's segments, or `undefined` when it is not a scope pattern. */
  readonly pattern: ScopePattern | undefined;
  /** Its closure under the catalog's includes. */
  readonly closure: Expansion;
  /**
   * The definitions with `requires` that the scope reaches, with the params it binds, in `withRequires`
   * order. Unification depends only on the scope, so it is done here once rather than on every check.
   */
  readonly requiring: readonly { readonly def: ScopeDefinition; readonly own: Bindings }[];
}

export function buildRequirement(scope: string, defs: DefinitionIndex): Requirement {
  const pattern = parseScopePattern(scope);
  const closure = expandScopes([scope], defs);
  const requiring: { def: ScopeDefinition; own: Bindings }[] = [];
  if (pattern) {
    for (const def of defs.withRequires) {
      const own = unify(pattern, def.template);
      if (own) requiring.push({ def, own });
    }
  }
  return { pattern, closure, requiring };
}

/** A memo of requirements, cleared when full: required scopes on the verify path repeat, hostile ones cannot grow it. */
export class RequirementCache {
  private readonly entries = new Map<string, Requirement>();

  constructor(
    private readonly defs: DefinitionIndex,
    private readonly limit: number,
  ) {}

  get(scope: string): Requirement {
    let r = this.entries.get(scope);
    if (r === undefined) {
      if (this.entries.size >= this.limit) this.entries.clear();
      r = buildRequirement(scope, this.defs);
      this.entries.set(scope, r);
    }
    return r;
  }
}
