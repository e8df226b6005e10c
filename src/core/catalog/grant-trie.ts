/**
 * Held (or denied) scope patterns indexed as a trie of segments, so that "which held pattern covers this
 * one?" and "which deny rule meets it?" cost the scope's depth (a few `Map.get` per segment) instead of
 * one `covers`/`overlaps` call per grant. A token with hundreds of grants then checks as fast as one with two.
 *
 * Each pattern gets a rank when it is inserted; every lookup that reports a pattern reports the one of
 * lowest rank among those that qualify. Callers choose ranks that reproduce the order in which the former
 * linear scans met the patterns, so the grant (or deny rule) named in a decision is exactly the one a
 * linear scan would have named. The trie is a tree and a lookup visits each node at most once (a node's
 * depth is the query position it is compared with), so no lookup costs more than a linear scan would.
 */
import { hasTail, type ScopePattern } from './scope-pattern.js';

/** Rank meaning "no pattern"; the largest small integer, so ranks stay in V8's fast integer range. */
export const NONE = 0x7fffffff;

export interface TrieNode {
  /** Children by literal segment; a `*` segment never appears here. */
  readonly lit: Map<string, TrieNode>;
  /** Child for a `*` segment that is not the pattern's last. */
  star: TrieNode | undefined;
  /** Lowest rank of a pattern that is exactly this node's path (no trailing `*`). */
  end: number;
  /** Lowest rank of a pattern that is this node's path followed by a trailing `*` (one or more segments). */
  tail: number;
  /** Lowest rank of any pattern ending at this node or below it. */
  min: number;
}

function node(): TrieNode {
  return { lit: new Map(), star: undefined, end: NONE, tail: NONE, min: NONE };
}

/** Builds the trie; `rank(i)` is the rank of `patterns[i]` (lower wins). */
export function buildTrie(patterns: readonly ScopePattern[], rank: (i: number) => number): TrieNode {
  const root = node();
  patterns.forEach((p, i) => {
    const r = rank(i);
    const tail = hasTail(p);
    const depth = tail ? p.length - 1 : p.length;
    let n = root;
    if (r < n.min) n.min = r;
    for (let k = 0; k < depth; k++) {
      const s = p[k] as string;
      let next = s === '*' ? n.star : n.lit.get(s);
      if (next === undefined) {
        next = node();
        if (s === '*') n.star = next;
        else n.lit.set(s, next);
      }
      n = next;
      if (r < n.min) n.min = r;
    }
    if (tail) n.tail = Math.min(n.tail, r);
    else n.end = Math.min(n.end, r);
  });
  return root;
}

/** Whether some pattern in the trie covers `p` (`covers(held, p)`); stops at the first one found. */
export function hasCover(n: TrieNode, p: ScopePattern, i = 0): boolean {
  const m = p.length;
  if (i === m) return n.end !== NONE && p[m - 1] !== '*';
  if (n.tail !== NONE) return true;
  const s = p[i] as string;
  if (s !== '*') {
    const c = n.lit.get(s);
    if (c !== undefined && hasCover(c, p, i + 1)) return true;
  }
  return n.star !== undefined && hasCover(n.star, p, i + 1);
}

/** Lowest rank of a pattern in the trie that covers `p`, or `NONE`. */
export function coverRank(n: TrieNode, p: ScopePattern, i = 0): number {
  const m = p.length;
  if (i === m) return p[m - 1] === '*' ? NONE : n.end;
  let best = n.tail;
  const s = p[i] as string;
  if (s !== '*') {
    const c = n.lit.get(s);
    if (c !== undefined && c.min < best) best = Math.min(best, coverRank(c, p, i + 1));
  }
  if (n.star !== undefined && n.star.min < best) best = Math.min(best, coverRank(n.star, p, i + 1));
  return best;
}

/** Whether some pattern in the trie overlaps `p` (some scope matches both); stops at the first one found. */
export function hasOverlap(n: TrieNode, p: ScopePattern, i = 0): boolean {
  return overlapRank(n, p, i, true) !== NONE;
}

/**
 * Lowest rank of a pattern in the trie that overlaps `p`, or `NONE`; with `any`, some rank as soon as one
 * is found. At depth `i` the path so far is compatible with `p`: a trailing `*` held here (one or more
 * segments) meets any longer `p`; at `p`'s end, a pattern ending here meets it, and when `p` itself ends
 * in `*` so does every longer pattern below.
 */
export function overlapRank(n: TrieNode, p: ScopePattern, i = 0, any = false): number {
  const m = p.length;
  if (i === m) return p[m - 1] === '*' ? n.min : n.end;
  let best = n.tail;
  if (any && best !== NONE) return best;
  const s = p[i] as string;
  if (s === '*') {
    for (const c of n.lit.values()) {
      if (c.min >= best) continue;
      best = Math.min(best, overlapRank(c, p, i + 1, any));
      if (any && best !== NONE) return best;
    }
  } else {
    const c = n.lit.get(s);
    if (c !== undefined && c.min < best) best = Math.min(best, overlapRank(c, p, i + 1, any));
    if (any && best !== NONE) return best;
  }
  if (n.star !== undefined && n.star.min < best) best = Math.min(best, overlapRank(n.star, p, i + 1, any));
  return best;
}

/** Every rank of a pattern in the trie that overlaps `p`, in no particular order. */
export function overlapRanks(n: TrieNode, p: ScopePattern, out: number[], i = 0): number[] {
  const m = p.length;
  if (i === m) {
    if (p[m - 1] === '*') collectAll(n, out);
    else if (n.end !== NONE) out.push(n.end);
    return out;
  }
  if (n.tail !== NONE) out.push(n.tail);
  const s = p[i] as string;
  if (s === '*') for (const c of n.lit.values()) overlapRanks(c, p, out, i + 1);
  else {
    const c = n.lit.get(s);
    if (c !== undefined) overlapRanks(c, p, out, i + 1);
  }
  if (n.star !== undefined) overlapRanks(n.star, p, out, i + 1);
  return out;
}

function collectAll(n: TrieNode, out: number[]): void {
  if (n.end !== NONE) out.push(n.end);
  if (n.tail !== NONE) out.push(n.tail);
  for (const c of n.lit.values()) collectAll(c, out);
  if (n.star !== undefined) collectAll(n.star, out);
}
