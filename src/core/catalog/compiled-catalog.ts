/** A compiled catalog: answers scope, query, resource and endpoint checks from precomputed structures. */
import type { CatalogDocument, CatalogIssue } from './catalog-types.js';
import type { DefinitionIndex } from './definition-index.js';
import type { EndpointIndex, EndpointView } from './endpoint-index.js';
import type { Expansion, Grant } from './expand-scopes.js';
import { preparePermissions, type PreparedPermissions, type WrittenPermissions } from './prepare-permissions.js';
import { checkScope, isGranted, type ScopeDecision } from './check-scope.js';
import { RequirementCache, type Requirement } from './requirement.js';
import { buildResourceIndex, resourceVerdict, type ResourceIndex } from './resource-index.js';
import { checkRequires, type RequiresResult } from './check-requires.js';
import { isSubset, type SubsetResult } from './is-subset.js';
import { parseQuery, printQuery, type Query } from './parse-query.js';
import { evaluateQuery } from './evaluate-query.js';
import { MAX_SCOPE_LENGTH } from '../scope.js';
import { isSegment, printScopePattern } from './scope-pattern.js';
import { instantiate, type Bindings } from './scope-template.js';
import { scopeIssue } from './compile-catalog.js';
import { builtinIncludes, reachedThroughIncludes, type BuiltinInclude } from './builtin-reach.js';

export interface EndpointMatch {
  endpoint: EndpointView;
  params: Record<string, string>;
  /** The endpoint's scopes with the path's values substituted; any one grants the call. */
  requiredAnyOf: string[];
}

export type EndpointDecision =
  | (EndpointMatch & { allowed: true; matched: string; grant: Grant })
  | (EndpointMatch & { allowed: false; reason: 'insufficient-scope'; decisions: ScopeDecision[] })
  | { allowed: false; reason: 'unknown-endpoint' };

/** Either raw permissions or a set prepared by `prepare` (cheaper when checking many times). */
export type PermissionsInput = WrittenPermissions | PreparedPermissions;

const CACHE_LIMIT = 10_000;

export class CompiledCatalog {
  readonly name: string;
  private readonly requirements: RequirementCache;
  private readonly prepared = new Map<string, PreparedPermissions>();
  private readonly resources: ResourceIndex;

  constructor(
    readonly document: CatalogDocument,
    readonly definitions: DefinitionIndex,
    readonly endpoints: EndpointIndex,
  ) {
    this.name = document.name;
    this.requirements = new RequirementCache(definitions, CACHE_LIMIT);
    this.resources = buildResourceIndex(definitions);
  }

  /** The closure of one scope under this catalog, memoised: checks on the verify path reuse it. */
  expand(scope: string): Expansion {
    return this.requirements.get(scope).closure;
  }

  /** One required scope parsed and expanded, memoised (with its closure) for the checks. */
  requirement(scope: string): Requirement {
    return this.requirements.get(scope);
  }

  /** Expands and indexes a token's permissions once; pass the result to every check. */
  prepare(perms: PermissionsInput): PreparedPermissions {
    if ('allow' in perms) return perms;
    const key = `${perms.scopes.join(' ')}|${(perms.deny ?? []).join(' ')}`;
    let set = this.prepared.get(key);
    if (!set) {
      if (this.prepared.size >= CACHE_LIMIT) this.prepared.clear();
      set = preparePermissions(perms, this.definitions);
      this.prepared.set(key, set);
    }
    return set;
  }

  /** Whether the permissions grant `required` (implication-aware; deny wins; `requires` enforced). */
  grants(perms: PermissionsInput, required: string, bindings: Bindings = {}): boolean {
    return isGranted(this, this.prepare(perms), required, bindings);
  }

  checkScope(perms: PermissionsInput, required: string, bindings: Bindings = {}): ScopeDecision {
    return checkScope(this, this.prepare(perms), required, bindings);
  }

  /** Evaluates `a OR (b AND c)`. A query string that does not parse grants nothing; use `parseQuery` to report it. */
  evaluateQuery(perms: PermissionsInput, query: string | Query, bindings: Bindings = {}): boolean {
    const parsed = typeof query === 'string' ? parseQuery(query) : { ok: true as const, query };
    if (!parsed.ok) return false;
    const set = this.prepare(perms);
    return evaluateQuery(parsed.query, (scope) => isGranted(this, set, scope, bindings));
  }

  /** The scope that grants `action` on resource `id` of `type` (`device:thermo-1:ListDevices`), if both exist. */
  resourceScope(type: string, resourceId: string, action: string): string | undefined {
    if (resourceId !== '*' && !isSegment(resourceId)) return undefined;
    const entry = this.resources.get(type)?.get(action);
    return entry ? printScopePattern(instantiate(entry.resource.pattern, { id: resourceId, action })) : undefined;
  }

  /**
   * Resource + action check; `resourceId` `*` asks for every resource of the type (listing, creating).
   * For a plain resource scope (no includes or `requires` can reach it) the answer is read from the
   * tries directly; anything else goes through `grants` on the printed scope. Both give the same answer.
   */
  checkResourceAction(perms: PermissionsInput, type: string, resourceId: string, action: string): boolean {
    const entry = this.resources.get(type)?.get(action);
    if (entry === undefined) return false;
    if (!entry.plain) {
      const scope = this.resourceScope(type, resourceId, action);
      return scope !== undefined && this.grants(perms, scope);
    }
    const set = this.prepare(perms);
    if (!set.denyComplete) return false;
    const memo = set.resourceMemo;
    memo.owner ??= this.resources;
    const verdict =
      memo.owner === this.resources
        ? (memo.slots[entry.ordinal] ??= resourceVerdict(entry, set))
        : resourceVerdict(entry, set);
    if (resourceId === '*') return verdict.star;
    if (verdict.fallback === verdict.except.has(resourceId)) return false;
    return isSegment(resourceId) && entry.fixedLength + resourceId.length <= MAX_SCOPE_LENGTH;
  }

  /** Finds the endpoint for a concrete request path; literal segments win over params. */
  matchEndpoint(method: string, concretePath: string): EndpointMatch | undefined {
    const found = this.endpoints.match(method, concretePath);
    if (!found) return undefined;
    const { endpoint, params } = found;
    return {
      endpoint: endpoint.view,
      params,
      requiredAnyOf: (endpoint.fixedScopes as string[] | null) ?? endpoint.scopes.map((t) => printScopePattern(instantiate(t, params))),
    };
  }

  /** Endpoint check: any one of its scopes suffices. An endpoint the catalog does not know is denied. */
  checkEndpoint(perms: PermissionsInput, method: string, concretePath: string, bindings: Bindings = {}): EndpointDecision {
    const match = this.matchEndpoint(method, concretePath);
    if (!match) return { allowed: false, reason: 'unknown-endpoint' };
    const set = this.prepare(perms);
    const context = { ...bindings, ...match.params };
    const decisions: ScopeDecision[] = [];
    for (const scope of match.requiredAnyOf) {
      const d = checkScope(this, set, scope, context);
      if (d.allowed) return { ...match, allowed: true, matched: scope, grant: d.grant };
      decisions.push(d);
    }
    return { ...match, allowed: false, reason: 'insufficient-scope', decisions };
  }

  /** Token-creation rule: every scope that `requires` another has it on the same token. */
  checkRequires(perms: PermissionsInput): RequiresResult {
    return checkRequires(this.prepare(perms), this.definitions);
  }

  /** No-escalation: whether `child` grants nothing `parent` does not. */
  isSubset(child: PermissionsInput, parent: PermissionsInput): SubsetResult {
    return isSubset(this.prepare(child), this.prepare(parent));
  }

  /** Which of `names` (Tessera's own permissions) the permissions reach through includes naming them. */
  reachedThroughIncludes(perms: PermissionsInput, names: readonly string[]): string[] {
    return reachedThroughIncludes(this.prepare(perms), this.definitions, names);
  }

  /** The catalog's includes that name any of `names` (Tessera's own permissions). */
  builtinIncludes(names: readonly string[]): BuiltinInclude[] {
    return builtinIncludes(this.definitions, names);
  }

  /** Issues for token scopes (or deny rules) this catalog does not know; `field` prefixes the paths. */
  validateTokenScopes(scopes: readonly string[], field = 'scopes'): CatalogIssue[] {
    return scopes.flatMap((s, i) => {
      const problem = scopeIssue(s, this.definitions);
      return problem === undefined ? [] : [{ path: `${field}[${i}]`, message: problem }];
    });
  }

  /** The scopes of the named templates, deduplicated, or the first unknown template id. */
  templateScopes(ids: readonly string[]): { ok: true; scopes: string[] } | { ok: false; unknown: string } {
    const out = new Set<string>();
    for (const id of ids) {
      const t = (this.document.templates ?? []).find((x) => x.id === id);
      if (!t) return { ok: false, unknown: id };
      for (const s of t.scopes) out.add(s);
    }
    return { ok: true, scopes: [...out] };
  }

  /** Canonical text of a query (for logs and `WWW-Authenticate`). */
  static printQuery(query: Query): string {
    return printQuery(query);
  }
}
