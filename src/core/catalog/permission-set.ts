/** A token's permissions prepared for checking: expanded once, indexed by first segment. */
import { covers, overlaps, type ScopePattern } from './scope-pattern.js';
import { expandScopes, type Grant } from './expand-scopes.js';
import type { DefinitionIndex } from './definition-index.js';

/** What a token holds: canonical scope strings, and deny rules that win over them. */
export interface Permissions {
  readonly scopes: readonly string[];
  readonly deny?: readonly string[];
}

export interface PermissionSet {
  readonly scopes: readonly string[];
  readonly deny: readonly string[];
  readonly allow: readonly Grant[];
  readonly denies: readonly Grant[];
  readonly allowComplete: boolean;
  readonly denyComplete: boolean;
  /** Allow patterns by literal first segment; those starting with `*` are in `starFirst`. */
  readonly byFirst: ReadonlyMap<string, readonly Grant[]>;
  readonly starFirst: readonly Grant[];
}

export function preparePermissions(perms: Permissions, defs: DefinitionIndex): PermissionSet {
  const allow = expandScopes(perms.scopes, defs);
  const deny = expandScopes(perms.deny ?? [], defs);
  const byFirst = new Map<string, Grant[]>();
  const starFirst: Grant[] = [];
  for (const g of allow.grants) {
    const first = g.pattern[0] ?? '*';
    if (first === '*') starFirst.push(g);
    else {
      const list = byFirst.get(first) ?? [];
      list.push(g);
      byFirst.set(first, list);
    }
  }
  return {
    scopes: perms.scopes,
    deny: perms.deny ?? [],
    allow: allow.grants,
    denies: deny.grants,
    allowComplete: allow.complete,
    // An unreadable deny rule cannot be honoured, so the set fails closed rather than ignore it.
    denyComplete: deny.complete && deny.invalid.length === 0,
    byFirst,
    starFirst,
  };
}

/** The held pattern that covers `p`, if any (most specific lists first: they are shorter). */
export function findCover(set: PermissionSet, p: ScopePattern): Grant | undefined {
  const first = p[0];
  if (first !== undefined && first !== '*') {
    for (const g of set.byFirst.get(first) ?? []) if (covers(g.pattern, p)) return g;
  }
  for (const g of set.starFirst) if (covers(g.pattern, p)) return g;
  return undefined;
}

/** The deny rule that takes away part of `p`, if any. */
export function findDeny(set: PermissionSet, p: ScopePattern): Grant | undefined {
  for (const d of set.denies) if (overlaps(d.pattern, p)) return d;
  return undefined;
}

/** A held pattern that meets `p` and is not wholly denied (used for "some `user_id:…`" requirements). */
export function holdsSome(set: PermissionSet, p: ScopePattern): Grant | undefined {
  for (const g of set.allow) {
    if (overlaps(g.pattern, p) && !set.denies.some((d) => covers(d.pattern, g.pattern))) return g;
  }
  return undefined;
}
