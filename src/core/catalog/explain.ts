/** Explains a decision: which held scope granted it (and through which includes), or why nothing did. */
import type { CompiledCatalog, PermissionsInput } from './compiled-catalog.js';
import type { ScopeDecision } from './check-scope.js';
import { parseQuery, type Query } from './parse-query.js';
import type { Bindings } from './scope-template.js';

export type ExplainCheck =
  | { scope: string; bindings?: Bindings }
  | { query: string; bindings?: Bindings }
  | { resource: { type: string; id: string; action: string } }
  | { endpoint: { method: string; path: string }; bindings?: Bindings };

export interface MatchedGrant {
  /** The requirement that was met, e.g. `sms:message:send`. */
  required: string;
  /** The token's scope as written, e.g. `message:send`. */
  scope: string;
  /** Declared scopes whose includes led from `scope` to the requirement. */
  via: readonly string[];
}

export interface Explanation {
  allowed: boolean;
  matchedGrant?: MatchedGrant;
  /** One sentence for people: why the answer is what it is. */
  reason: string;
}

/**
 * @example
 * explain(catalog, { scopes: ['message:send'] }, { scope: 'sms:message:send' })
 * // { allowed: true, matchedGrant: { required: 'sms:message:send', scope: 'message:send', via: ['message:send'] }, … }
 */
export function explain(catalog: CompiledCatalog, perms: PermissionsInput, check: ExplainCheck): Explanation {
  const set = catalog.prepare(perms);
  if ('scope' in check) return fromDecision(catalog.checkScope(set, check.scope, check.bindings));
  if ('resource' in check) {
    const { type, id, action } = check.resource;
    const scope = catalog.resourceScope(type, id, action);
    if (scope === undefined) return { allowed: false, reason: `the catalog has no action "${action}" on resource type "${type}"` };
    return fromDecision(catalog.checkScope(set, scope));
  }
  if ('query' in check) {
    const parsed = parseQuery(check.query);
    if (!parsed.ok) return { allowed: false, reason: `the query does not parse: ${parsed.message}` };
    return explainQuery(parsed.query, (s) => catalog.checkScope(set, s, check.bindings));
  }
  const d = catalog.checkEndpoint(set, check.endpoint.method, check.endpoint.path, check.bindings);
  const label = `${check.endpoint.method.toUpperCase()} ${check.endpoint.path}`;
  if (d.allowed) {
    const inner = fromDecision({ allowed: true, required: d.matched, grant: d.grant });
    return { ...inner, reason: `${label} needs any of ${d.requiredAnyOf.join(', ')}; ${inner.reason}` };
  }
  if (d.reason === 'unknown-endpoint') return { allowed: false, reason: `${label} is not an endpoint of the catalog, so it is denied` };
  const why = d.decisions.map((x) => fromDecision(x).reason).join('; ');
  return { allowed: false, reason: `${label} needs any of ${d.requiredAnyOf.join(', ')}, and none is granted: ${why}` };
}

function explainQuery(query: Query, check: (scope: string) => ScopeDecision): Explanation {
  if (query.kind === 'scope') return fromDecision(check(query.scope));
  const parts: Explanation[] = [];
  for (const item of query.items) {
    const e = explainQuery(item, check);
    if (query.kind === 'or' && e.allowed) return e;
    if (query.kind === 'and' && !e.allowed) return e;
    parts.push(e);
  }
  if (query.kind === 'or') return { allowed: false, reason: `no alternative is granted: ${parts.map((p) => p.reason).join('; ')}` };
  const first = parts[0];
  return { allowed: true, ...(first?.matchedGrant ? { matchedGrant: first.matchedGrant } : {}), reason: parts.map((p) => p.reason).join('; ') };
}

function fromDecision(d: ScopeDecision): Explanation {
  if (d.allowed) {
    const g = d.grant;
    const matchedGrant = { required: d.required, scope: g.source, via: g.via };
    const through = g.via.length === 0 ? '' : ` through ${g.via.map((v) => `"${v}"`).join(' → ')}`;
    const how = g.source === d.required ? 'the token holds it' : `the token's "${g.source}" grants it${through}`;
    return { allowed: true, matchedGrant, reason: `"${d.required}" is granted: ${how}` };
  }
  switch (d.reason) {
    case 'invalid':
      return { allowed: false, reason: `"${d.required}" cannot be checked (not a scope, or the token has an unreadable deny rule)` };
    case 'not-held':
      return { allowed: false, reason: d.missing === d.required ? `no scope of the token grants "${d.required}"` : `"${d.required}" includes "${d.missing ?? ''}", which no scope of the token grants` };
    case 'denied':
      return { allowed: false, reason: `"${d.required}" is denied by the token's deny rule "${d.deny ?? ''}"` };
    case 'requires':
      return { allowed: false, reason: `"${d.required}" must be combined with "${d.requires ?? ''}", which the token does not hold` };
  }
}
