/** Decides whether a permission set grants one required scope: implication-aware, deny wins, `requires` enforced. */
import { parseScopePattern, printScopePattern, type ScopePattern } from './scope-pattern.js';
import { instantiate, printScopeTemplate, unify, type Bindings } from './scope-template.js';
import { findCover, findDeny, holdsSome, type PermissionSet } from './permission-set.js';
import type { DefinitionIndex } from './definition-index.js';
import type { Expansion, Grant } from './expand-scopes.js';

export interface ScopeEngine {
  readonly definitions: DefinitionIndex;
  /** The closure of one required scope, memoised by the compiled catalog. */
  expand(scope: string): Expansion;
}

export type ScopeDecision =
  | { allowed: true; required: string; grant: Grant }
  | {
      allowed: false;
      required: string;
      reason: 'invalid' | 'not-held' | 'denied' | 'requires';
      /** The part of the requirement nothing held covers (`not-held`). */
      missing?: string;
      /** The deny rule as written on the token (`denied`). */
      deny?: string;
      /** The scope that must also be held (`requires`). */
      requires?: string;
    };

/**
 * `required` is granted when every pattern of its closure is covered by a held pattern and meets no
 * deny rule; a broad requirement (`message:send`) is therefore refused when any part of it is denied.
 * `bindings` name values known from the call (path params, the user), used by `requires`.
 */
export function checkScope(engine: ScopeEngine, set: PermissionSet, required: string, bindings: Bindings = {}): ScopeDecision {
  const pattern = parseScopePattern(required);
  const closure = engine.expand(required);
  if (!pattern || !closure.complete || !set.denyComplete) return { allowed: false, required, reason: 'invalid' };
  let first: Grant | undefined;
  for (const part of closure.grants) {
    const grant = findCover(set, part.pattern);
    if (!grant) return { allowed: false, required, reason: 'not-held', missing: part.text };
    const deny = findDeny(set, part.pattern);
    if (deny) return { allowed: false, required, reason: 'denied', deny: deny.source };
    first ??= grant;
  }
  if (!first) return { allowed: false, required, reason: 'invalid' };
  const unmet = unmetRequirement(engine, set, pattern, bindings);
  if (unmet !== undefined) return { allowed: false, required, reason: 'requires', requires: unmet };
  return { allowed: true, required, grant: first };
}

/** The first `requires` of a definition `pattern` names that the set does not satisfy, printed. */
function unmetRequirement(engine: ScopeEngine, set: PermissionSet, pattern: ScopePattern, bindings: Bindings): string | undefined {
  for (const def of engine.definitions.withRequires) {
    const own = unify(pattern, def.template);
    if (!own) continue;
    for (const req of def.requires) {
      const merged: Record<string, string> = { ...bindings };
      for (const [k, v] of Object.entries(own)) if (v !== '*') merged[k] = v;
      const instance = instantiate(req, merged);
      const concrete = !instance.includes('*');
      if (concrete) {
        const text = printScopePattern(instance);
        const inner = checkPlain(engine, set, text);
        if (!inner) return text;
      } else if (!holdsSome(set, instance)) {
        return printScopeTemplate(req);
      }
    }
  }
  return undefined;
}

/** A scope check without `requires` (a requirement of a requirement is not chased). */
function checkPlain(engine: ScopeEngine, set: PermissionSet, required: string): boolean {
  const closure = engine.expand(required);
  if (!closure.complete) return false;
  return closure.grants.every((p) => findCover(set, p.pattern) !== undefined && findDeny(set, p.pattern) === undefined);
}
