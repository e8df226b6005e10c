/**
 * Resource definitions by type and action, prepared for `checkResourceAction`, the call an application
 * makes on every request. Without it each check found the definition by a linear scan, printed the scope
 * string, then parsed it back; with it a check is two `Map.get` and a trie walk over a segment array.
 */
import { MAX_SCOPE_LENGTH } from '../scope.js';
import { isSegment, type ScopePattern } from './scope-pattern.js';
import { instantiate, unify } from './scope-template.js';
import type { DefinitionIndex, ScopeDefinition } from './definition-index.js';
import { isCovered, isDenied, type PreparedPermissions } from './prepare-permissions.js';
import { covers, overlaps } from './scope-pattern.js';
import { overlapRanks } from './grant-trie.js';

export interface ResourceEntry {
  /** Position in the index, the slot of this entry in a permission set's `resourceMemo`. */
  readonly ordinal: number;
  /** The definition `resourceScope` would find (the first declared for this type and action). */
  readonly def: ScopeDefinition;
  readonly resource: NonNullable<ScopeDefinition['resource']>;
  /** The scope's segments with the action bound and `*` where the id goes. */
  readonly base: ScopePattern;
  /** Index of the `{id}` segment in `base`. */
  readonly idAt: number;
  /** Length of the printed scope without the id, so the id's length decides the `MAX_SCOPE_LENGTH` limit. */
  readonly fixedLength: number;
  /**
   * Whether every scope of this entry is its own closure and reaches no `requires`. Then "is it granted"
   * is just "some grant covers it and no deny rule meets it", with no string round-trip. Decided on the
   * `*` instance: replacing a concrete segment by `*` only lets more definitions unify, so when no
   * expanding or requiring definition unifies with it, none unifies with any concrete instance either.
   */
  readonly plain: boolean;
}

export type ResourceIndex = ReadonlyMap<string, ReadonlyMap<string, ResourceEntry>>;

export function buildResourceIndex(defs: DefinitionIndex): ResourceIndex {
  const index = new Map<string, Map<string, ResourceEntry>>();
  let ordinal = 0;
  for (const def of defs.all) {
    const resource = def.resource;
    if (!resource) continue;
    let byAction = index.get(resource.type);
    if (!byAction) {
      byAction = new Map();
      index.set(resource.type, byAction);
    }
    if (byAction.has(resource.action)) continue; // the first declared wins, as in a scan
    byAction.set(resource.action, entryFor(def, resource, defs, ordinal++));
  }
  return index;
}

function entryFor(def: ScopeDefinition, resource: ResourceEntry['resource'], defs: DefinitionIndex, ordinal: number): ResourceEntry {
  const template = resource.pattern;
  // `instantiate` as the generic path calls it, the id left unbound (so `*`).
  const base = instantiate(template, { action: resource.action });
  const idSlots = template.segments.flatMap((s, i) => (s.kind === 'param' && s.name === 'id' ? [i] : []));
  const idAt = idSlots[0] ?? -1;
  const shapeOk =
    template.optional === undefined &&
    idSlots.length === 1 &&
    base.length === template.segments.length &&
    base.every((s, i) => i === idAt || (typeof s === 'string' && (s === '*' || isSegment(s))));
  const fixedLength = base.reduce((n, s, i) => n + (i === idAt ? 0 : String(s).length), base.length - 1);
  const plain =
    shapeOk &&
    !defs.candidates(base[0], true).some((e) => unify(base, e.template) !== undefined) &&
    !defs.withRequires.some((e) => unify(base, e.template) !== undefined);
  return { ordinal, def, resource, base, idAt, fixedLength, plain };
}

/**
 * What one permission set answers for one plain entry, for every id at once. For a concrete id `x` the
 * scope differs from the others only in the id segment, and `covers`/`overlaps` look at that segment only
 * to compare it with the grant's (or deny rule's) own: so a grant covers either every id, or just the
 * literal id it names. The answer for `x` is therefore `fallback`, flipped when `x` is in `except`.
 * Valid for sets whose deny rules are complete; the caller still checks that `x` is a segment.
 */
export interface ResourceVerdict {
  /** The answer for id `*` (every resource of the type). */
  readonly star: boolean;
  /** The answer for an id no grant or deny rule names. */
  readonly fallback: boolean;
  /** Ids whose answer is `!fallback`. */
  readonly except: ReadonlySet<string>;
}

/** Answers for the entries of one catalog, by ordinal; a set checked against another catalog is not memoised. */
export interface ResourceMemo {
  owner: object | undefined;
  readonly slots: (ResourceVerdict | undefined)[];
}

/** Computes an entry's verdict for a set (with complete deny rules), from the grants that can meet it. */
export function resourceVerdict(entry: ResourceEntry, set: PreparedPermissions): ResourceVerdict {
  const { base, idAt } = entry;
  const at = (x: string): ScopePattern => base.map((s, i) => (i === idAt ? x : s));
  /** Ids `x` with `rel(rule, at(x))`, or `true` when every id qualifies. */
  const reach = (rules: readonly { pattern: ScopePattern }[], ranks: number[], rel: typeof covers): true | Set<string> => {
    const ids = new Set<string>();
    for (const r of ranks) {
      const rule = (rules[r >= rules.length ? r - rules.length : r] as { pattern: ScopePattern }).pattern;
      const own = rule[idAt];
      // A segment other than the rule's own at the id position: the answer for every id but that one.
      const other = own === 'a' ? 'b' : 'a';
      if (rel(rule, at(other))) return true;
      if (own !== undefined && own !== '*' && rel(rule, at(own))) ids.add(own);
    }
    return ids;
  };
  // A rule that meets `at(x)` for some id meets `at('*')`, which contains it: the tries give the candidates.
  const allowed = reach(set.allow, overlapRanks(set.allowTrie, base, []), covers);
  const denied = reach(set.denies, overlapRanks(set.denyTrie, base, []), overlaps);
  const star = entry.fixedLength + 1 <= MAX_SCOPE_LENGTH && isCovered(set, base) && !isDenied(set, base);
  if (denied === true) return { star, fallback: false, except: new Set() };
  if (allowed === true) return { star, fallback: true, except: denied };
  return { star, fallback: false, except: new Set([...allowed].filter((x) => !denied.has(x))) };
}
