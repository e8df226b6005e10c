/** A token's permissions prepared for checking: expanded once, indexed as segment tries. */
import { expandScopes, type Grant } from './expand-scopes.js';
import type { DefinitionIndex } from './definition-index.js';
import type { ScopePattern } from './scope-pattern.js';
import type { ResourceMemo } from './resource-index.js';
import { buildTrie, coverRank, hasCover, overlapRank, overlapRanks, NONE, type TrieNode } from './grant-trie.js';

/** What a token holds, as written: scope strings and deny rules that win over them. The catalog expands them and fails closed on any it cannot read. */
export interface WrittenPermissions {
  readonly scopes: readonly string[];
  readonly deny?: readonly string[];
}

/** `WrittenPermissions` expanded through the catalog (what its `includes` imply counts) and indexed. */
export interface PreparedPermissions {
  readonly scopes: readonly string[];
  readonly deny: readonly string[];
  readonly allow: readonly Grant[];
  readonly denies: readonly Grant[];
  readonly allowComplete: boolean;
  readonly denyComplete: boolean;
  /**
   * `allow` as a trie. A grant's rank is its index in `allow`, plus `allow.length` when its first segment
   * is `*`: the order in which a scan of "grants with the same first segment, then grants starting with
   * `*`" meets them, so the reported grant does not depend on the index.
   */
  readonly allowTrie: TrieNode;
  /** `denies` as a trie; a rule's rank is its index in `denies`. */
  readonly denyTrie: TrieNode;
  /** Resource-check answers, filled lazily by the catalog that checks this set (see `resourceVerdict`). */
  readonly resourceMemo: ResourceMemo;
}

export function preparePermissions(perms: WrittenPermissions, defs: DefinitionIndex): PreparedPermissions {
  const allow = expandScopes(perms.scopes, defs);
  const deny = expandScopes(perms.deny ?? [], defs);
  const n = allow.grants.length;
  const allowTrie = buildTrie(
    allow.grants.map((g) => g.pattern),
    (i) => (allow.grants[i]?.pattern[0] === '*' ? n + i : i),
  );
  return {
    scopes: perms.scopes,
    deny: perms.deny ?? [],
    allow: allow.grants,
    denies: deny.grants,
    allowComplete: allow.complete,
    // An unreadable deny rule cannot be honoured, so the set fails closed rather than ignore it.
    denyComplete: deny.complete && deny.invalid.length === 0,
    allowTrie,
    denyTrie: buildTrie(
      deny.grants.map((g) => g.pattern),
      (i) => i,
    ),
    resourceMemo: { owner: undefined, slots: [] },
  };
}

/** The grant a rank of `allowTrie` stands for. */
function allowAt(set: PreparedPermissions, rank: number): Grant | undefined {
  const n = set.allow.length;
  return set.allow[rank >= n ? rank - n : rank];
}

/** The held pattern that covers `p`, if any (same-first-segment grants first, in token order). */
export function findCover(set: PreparedPermissions, p: ScopePattern): Grant | undefined {
  const rank = coverRank(set.allowTrie, p);
  return rank === NONE ? undefined : allowAt(set, rank);
}

/** Whether some held pattern covers `p` (cheaper than `findCover`: stops at the first). */
export function isCovered(set: PreparedPermissions, p: ScopePattern): boolean {
  return hasCover(set.allowTrie, p);
}

/** The first deny rule (in token order) that takes away part of `p`, if any. */
export function findDeny(set: PreparedPermissions, p: ScopePattern): Grant | undefined {
  const rank = overlapRank(set.denyTrie, p);
  return rank === NONE ? undefined : set.denies[rank];
}

/** Whether some deny rule takes away part of `p`. */
export function isDenied(set: PreparedPermissions, p: ScopePattern): boolean {
  return overlapRank(set.denyTrie, p, 0, true) !== NONE;
}

/** The first held pattern (in token order) that meets `p` and is not wholly denied (for "some `user_id:…`" requirements). */
export function holdsSome(set: PreparedPermissions, p: ScopePattern): Grant | undefined {
  const n = set.allow.length;
  const indexes = overlapRanks(set.allowTrie, p, []).map((r) => (r >= n ? r - n : r));
  indexes.sort((a, b) => a - b);
  for (const i of indexes) {
    const g = set.allow[i];
    if (g !== undefined && !hasCover(set.denyTrie, g.pattern)) return g;
  }
  return undefined;
}
