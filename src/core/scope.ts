/**
 * Scope grammar and algebra. A scope is `seg(:seg)*`; a segment is `[A-Za-z0-9_.-]+` or `*`.
 * A middle `*` matches exactly one segment; a final `*` matches one or more, so `*` alone is admin and
 * `tokens:*` covers `tokens:create` and `tokens:a:b` but not `tokens`.
 *
 * Every pattern denotes a set of concrete scopes, and the relations below are exact set relations over an
 * unbounded segment alphabet: a `*` can always take a value that no literal names.
 */
import type { Scope } from './types.js';

/**
 * Longest scope string accepted anywhere (a token's scopes, a catalog's scope patterns, a resource scope): 512,
 * the larger of the two limits there were, so every stored token (at most 200) and catalog (at most 512) stays
 * valid. It keeps hostile input from costing more than a few microseconds.
 */
export const MAX_SCOPE_LENGTH = 512;
export const MAX_SCOPE_SEGMENTS = 16;
const SEGMENT = /^[A-Za-z0-9_.-]+$/;

export type ScopeParse = { ok: true; scope: Scope } | { ok: false; problem: string };

/**
 * Validates a scope string; a valid scope is returned unchanged (no case folding or trimming), so the stored
 * form is exactly what the caller wrote. `problem` never repeats the input, which may be long.
 */
export function parseScope(input: string): ScopeParse {
  if (typeof input !== 'string') return { ok: false, problem: 'must be a string' };
  if (input.length === 0) return { ok: false, problem: 'must not be empty' };
  if (input.length > MAX_SCOPE_LENGTH) return { ok: false, problem: `must be at most ${MAX_SCOPE_LENGTH} characters` };
  const segments = input.split(':');
  if (segments.length > MAX_SCOPE_SEGMENTS) {
    return { ok: false, problem: `must have at most ${MAX_SCOPE_SEGMENTS} colon-separated segments` };
  }
  for (const [i, segment] of segments.entries()) {
    if (segment === '*') continue;
    if (segment === '') return { ok: false, problem: `segment ${i + 1} is empty` };
    if (!SEGMENT.test(segment)) {
      return {
        ok: false,
        problem: `segment ${i + 1} may contain only letters, digits, '_', '.', '-', or be exactly '*'`,
      };
    }
  }
  return { ok: true, scope: input as Scope };
}

/** A pattern whose last segment is `*` is "open": it matches scopes of its length and any longer. */
function segmentsOf(scope: Scope): string[] {
  return scope.split(':');
}

/** A literal segment of `granted` covers only the same literal; `*` covers anything in one position. */
function segmentCovers(granted: string, required: string): boolean {
  return granted === '*' || granted === required;
}

/**
 * Does holding `granted` give everything `required` names? Both may be patterns: true iff every concrete scope
 * matched by `required` is matched by `granted`.
 */
export function scopeCovers(granted: Scope, required: Scope): boolean {
  if (granted === required) return true;
  const g = segmentsOf(granted);
  const r = segmentsOf(required);
  const gOpen = g[g.length - 1] === '*';
  if (gOpen) {
    // `granted` matches every length >= g.length; `required`'s shortest match has r.length segments.
    if (r.length < g.length) return false;
  } else {
    // `granted` matches one length only, so `required` must too (an open `required` has no upper bound).
    if (r.length !== g.length || r[r.length - 1] === '*') return false;
  }
  const fixed = gOpen ? g.length - 1 : g.length;
  for (let i = 0; i < fixed; i++) {
    if (!segmentCovers(g[i] as string, r[i] as string)) return false;
  }
  return true;
}

/** Is there a concrete scope both patterns match? */
export function scopesOverlap(a: Scope, b: Scope): boolean {
  if (a === b) return true;
  const x = segmentsOf(a);
  const y = segmentsOf(b);
  const xOpen = x[x.length - 1] === '*';
  const yOpen = y[y.length - 1] === '*';
  // A common length must exist: closed patterns have one length, open ones every length from theirs up.
  if (!xOpen && !yOpen && x.length !== y.length) return false;
  if (xOpen && !yOpen && y.length < x.length) return false;
  if (yOpen && !xOpen && x.length < y.length) return false;
  // Past the shorter pattern only the longer one constrains, so only shared positions can conflict.
  const shared = Math.min(x.length, y.length);
  for (let i = 0; i < shared; i++) {
    const s = x[i] as string;
    const t = y[i] as string;
    if (s !== '*' && t !== '*' && s !== t) return false;
  }
  return true;
}

/** What a token holds: the scopes it grants and the deny rules that win over them. */
export interface Permissions {
  readonly scopes: readonly Scope[];
  readonly deny: readonly Scope[];
}

/** Some grant covers `required` and no deny overlaps it (deny always wins). */
export function permits(set: Permissions, required: Scope): boolean {
  if (!set.scopes.some((granted) => scopeCovers(granted, required))) return false;
  return !set.deny.some((denied) => scopesOverlap(denied, required));
}

/** Removes duplicates and scopes covered by another scope in the list, keeps input order otherwise. */
export function normalizeScopes(scopes: readonly Scope[]): Scope[] {
  return scopes.filter(
    (scope, i) =>
      !scopes.some((other, j) => j !== i && scopeCovers(other, scope) && (other !== scope || j < i)),
  );
}
