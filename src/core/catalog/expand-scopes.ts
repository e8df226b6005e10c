/** The closure of a scope list under the catalog: includes, optional ids, each result traced to its source. */
import { hasTail, parseScopePattern, printScopePattern, type ScopePattern } from './scope-pattern.js';
import { instantiate, unify } from './scope-template.js';
import type { DefinitionIndex } from './definition-index.js';

/** One pattern a scope list grants (or denies), with the listed scope it came from. */
export interface Grant {
  readonly pattern: ScopePattern;
  readonly text: string;
  /** The scope as written on the token. */
  readonly source: string;
  /** Declared scopes whose `includes` (or optional id) led from `source` to `text`, outermost first. */
  readonly via: readonly string[];
}

export interface Expansion {
  readonly grants: readonly Grant[];
  /** Strings that are not scope patterns; they grant nothing. */
  readonly invalid: readonly string[];
  /** False when the closure was cut at `MAX_EXPANSION`; callers must then fail closed where it matters. */
  readonly complete: boolean;
}

/** Bound on one closure; real catalogs stay in the hundreds, so hitting it means a pathological catalog. */
export const MAX_EXPANSION = 20_000;

/**
 * Expands scopes breadth-first. Terminates without the cycle check (every pattern is deduplicated and
 * built from finitely many segments), so a catalog compiled before a fix still cannot hang a verify.
 */
export function expandScopes(scopes: readonly string[], defs: DefinitionIndex, skip?: (pattern: ScopePattern) => boolean): Expansion {
  const seen = new Map<string, Grant>();
  const queue: Grant[] = [];
  const invalid: string[] = [];
  let complete = true;
  const push = (g: Grant): void => {
    if (seen.has(g.text) || skip?.(g.pattern)) return;
    if (seen.size >= MAX_EXPANSION) {
      complete = false;
      return;
    }
    seen.set(g.text, g);
    queue.push(g);
  };
  for (const scope of scopes) {
    const pattern = parseScopePattern(scope);
    if (pattern) push({ pattern, text: scope, source: scope, via: [] });
    else invalid.push(scope);
  }
  for (let i = 0; i < queue.length && complete; i++) {
    const g = queue[i] as Grant;
    for (const def of defs.candidates(g.pattern[0], true)) {
      const bindings = unify(g.pattern, def.template);
      if (!bindings) continue;
      const via = [...g.via, def.text];
      if (def.template.optional !== undefined && !hasTail(g.pattern) && g.pattern.length === def.template.segments.length) {
        // The short form of `read:brands[:{brand_id}]` covers every brand.
        const long = [...g.pattern, '*'];
        push({ pattern: long, text: printScopePattern(long), source: g.source, via });
      }
      for (const inc of def.includes) {
        const pattern = instantiate(inc, bindings);
        push({ pattern, text: printScopePattern(pattern), source: g.source, via });
      }
    }
  }
  return { grants: queue, invalid, complete };
}
