/** Decides whether a permission set grants one required scope: implication-aware, deny wins, `requires` enforced. */
import { printScopePattern } from './scope-pattern.js';
import { instantiate, printScopeTemplate, type Bindings } from './scope-template.js';
import { findCover, findDeny, holdsSome, isCovered, isDenied, type PreparedPermissions } from './prepare-permissions.js';
import type { Grant } from './expand-scopes.js';
import type { Requirement } from './requirement.js';

export interface ScopeEngine {
  /** A required scope parsed and expanded, memoised by the compiled catalog. */
  requirement(scope: string): Requirement;
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
export function checkScope(engine: ScopeEngine, set: PreparedPermissions, required: string, bindings: Bindings = {}): ScopeDecision {
  const req = engine.requirement(required);
  if (!req.pattern || !req.closure.complete || !set.denyComplete) return { allowed: false, required, reason: 'invalid' };
  let first: Grant | undefined;
  for (const part of req.closure.grants) {
    const grant = findCover(set, part.pattern);
    if (!grant) return { allowed: false, required, reason: 'not-held', missing: part.text };
    const deny = findDeny(set, part.pattern);
    if (deny) return { allowed: false, required, reason: 'denied', deny: deny.source };
    first ??= grant;
  }
  if (!first) return { allowed: false, required, reason: 'invalid' };
  const unmet = unmetRequirement(engine, set, req, bindings);
  if (unmet !== undefined) return { allowed: false, required, reason: 'requires', requires: unmet };
  return { allowed: true, required, grant: first };
}

/**
 * `checkScope(…).allowed` without building a decision: the verify hot path only needs the answer, so it
 * asks the tries yes/no questions (stopping at the first hit) and allocates nothing.
 */
export function isGranted(engine: ScopeEngine, set: PreparedPermissions, required: string, bindings: Bindings = {}): boolean {
  const req = engine.requirement(required);
  if (!req.pattern || !req.closure.complete || !set.denyComplete) return false;
  const parts = req.closure.grants;
  if (parts.length === 0) return false;
  for (let i = 0; i < parts.length; i++) {
    const p = (parts[i] as Grant).pattern;
    if (!isCovered(set, p) || isDenied(set, p)) return false;
  }
  return req.requiring.length === 0 || unmetRequirement(engine, set, req, bindings) === undefined;
}

/** The first `requires` of a definition the requirement reaches that the set does not satisfy, printed. */
function unmetRequirement(engine: ScopeEngine, set: PreparedPermissions, req: Requirement, bindings: Bindings): string | undefined {
  for (const { def, own } of req.requiring) {
    for (const r of def.requires) {
      const merged: Record<string, string> = { ...bindings };
      for (const [k, v] of Object.entries(own)) if (v !== '*') merged[k] = v;
      const instance = instantiate(r, merged);
      const concrete = !instance.includes('*');
      if (concrete) {
        const text = printScopePattern(instance);
        const inner = checkPlain(engine, set, text);
        if (!inner) return text;
      } else if (!holdsSome(set, instance)) {
        return printScopeTemplate(r);
      }
    }
  }
  return undefined;
}

/** A scope check without `requires` (a requirement of a requirement is not chased). */
function checkPlain(engine: ScopeEngine, set: PreparedPermissions, required: string): boolean {
  const closure = engine.requirement(required).closure;
  if (!closure.complete) return false;
  return closure.grants.every((p) => isCovered(set, p.pattern) && !isDenied(set, p.pattern));
}
