/** Plain scope patterns: the wildcard grammar every token scope is written in, with or without a catalog. */
import { MAX_SCOPE_LENGTH } from '../scope.js';

/** One segment of a scope: letters, digits, `_`, `.`, `-`. `*` is the wildcard. */
export const SEGMENT_RE = /^[A-Za-z0-9_.-]+$/;

/**
 * `SEGMENT_RE.test(s)` as a character loop: about ten times cheaper on the short ids of a resource
 * check, which tests one on every call. A property test holds the two equal.
 */
export function isSegment(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // a-z, A-Z, 0-9, `_`, `.`, `-`
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45)) return false;
  }
  return true;
}

/**
 * A parsed scope pattern: its segments, where `'*'` is a wildcard. A middle `*` matches exactly one
 * segment; a trailing `*` matches one or more; `*` alone matches every scope.
 */
export type ScopePattern = readonly string[];

/** Parses `a:b:*` into its segments, or `undefined` when a segment is empty or holds a forbidden character. */
export function parseScopePattern(text: string): ScopePattern | undefined {
  if (text.length === 0 || text.length > MAX_SCOPE_LENGTH) return undefined;
  const segments = text.split(':');
  for (const segment of segments) {
    if (segment !== '*' && !isSegment(segment)) return undefined;
  }
  return segments;
}

export function printScopePattern(pattern: ScopePattern): string {
  return pattern.join(':');
}

/** Whether the pattern ends in a `*` that stands for one or more segments. */
export function hasTail(pattern: ScopePattern): boolean {
  return pattern[pattern.length - 1] === '*';
}

/**
 * `outer ⊇ inner`: every scope `inner` matches, `outer` matches too. Exact for this grammar, which the
 * no-escalation rule depends on (an approximation here would let a child token outgrow its parent).
 */
export function covers(outer: ScopePattern, inner: ScopePattern): boolean {
  const n = outer.length;
  const m = inner.length;
  if (hasTail(outer)) {
    if (m < n) return false;
    for (let i = 0; i < n - 1; i++) {
      const o = outer[i];
      if (o !== '*' && o !== inner[i]) return false;
    }
    return true;
  }
  if (m !== n || hasTail(inner)) return false;
  for (let i = 0; i < n; i++) {
    const o = outer[i];
    if (o !== '*' && o !== inner[i]) return false;
  }
  return true;
}

/** Whether some scope matches both patterns. */
export function overlaps(a: ScopePattern, b: ScopePattern): boolean {
  const n = a.length;
  const m = b.length;
  const aTail = hasTail(a);
  const bTail = hasTail(b);
  const lengthsMeet = n === m || (aTail && bTail) || (aTail && m >= n) || (bTail && n >= m);
  if (!lengthsMeet) return false;
  const common = Math.min(n, m);
  for (let i = 0; i < common; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== '*' && y !== '*' && x !== y) return false;
  }
  return true;
}
