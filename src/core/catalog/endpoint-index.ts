/** Endpoints compiled into one segment trie per method, so matching costs the path's depth, not the catalog's size. */
import type { CatalogIssue, EndpointDoc } from './catalog-types.js';
import { printScopePattern } from './scope-pattern.js';
import { instantiate, parseScopeTemplate, templateParams, type ScopeTemplate } from './scope-template.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type PathSegment = { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'param'; readonly name: string };

export interface CompiledEndpoint {
  readonly method: HttpMethod;
  /** The path as declared, e.g. `/tenants/{tenant_id}/notifications`. */
  readonly path: string;
  readonly docPath: string;
  readonly segments: readonly PathSegment[];
  /** Any one suffices; params are those of the path. */
  readonly scopes: readonly ScopeTemplate[];
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly auth: 'scopes' | 'token';
  readonly allowDelete: boolean;
  /** What a match reports of the endpoint, made once (forward auth matches the same endpoints over and over). */
  readonly view: EndpointView;
  /** The printed scopes when none names a path parameter (the same for every match), else null. */
  readonly fixedScopes: readonly string[] | null;
}

export interface EndpointView {
  readonly method: HttpMethod;
  readonly path: string;
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly auth: 'scopes' | 'token';
}

interface TrieNode {
  readonly literal: Map<string, TrieNode>;
  param?: TrieNode;
  endpoint?: CompiledEndpoint;
}

const PARAM_RE = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const LITERAL_RE = /^[A-Za-z0-9_.~!$&'()*+,;=:@%-]+$/;

export class EndpointIndex {
  readonly endpoints: CompiledEndpoint[] = [];
  private readonly roots = new Map<string, TrieNode>();

  /** Adds a declared endpoint, or returns the issues that keep it out. */
  add(doc: EndpointDoc, docPath: string): CatalogIssue[] {
    const space = doc.endpoint.indexOf(' ');
    const method = doc.endpoint.slice(0, space) as HttpMethod;
    const path = doc.endpoint.slice(space + 1);
    const at = `${docPath}.endpoint`;
    if (!HTTP_METHODS.includes(method)) return [{ path: at, message: `unknown method "${method}"` }];
    const segments: PathSegment[] = [];
    const names = new Set<string>();
    for (const raw of splitPath(path) ?? [' ']) {
      const param = PARAM_RE.exec(raw);
      if (param) {
        const name = param[1] ?? '';
        if (names.has(name)) return [{ path: at, message: `path parameter {${name}} appears twice` }];
        names.add(name);
        segments.push({ kind: 'param', name });
      } else if (LITERAL_RE.test(raw) && !raw.includes('{') && !raw.includes('}')) {
        segments.push({ kind: 'literal', value: raw });
      } else {
        return [{ path: at, message: `bad path "${path}": segment "${raw}" is not a name or {param}` }];
      }
    }
    const issues: CatalogIssue[] = [];
    const scopes: ScopeTemplate[] = [];
    doc.scopes.forEach((s, j) => {
      const t = parseScopeTemplate(s, { wildcards: true, optional: false });
      if ('error' in t) issues.push({ path: `${docPath}.scopes[${j}]`, message: `bad scope "${s}": ${t.error}` });
      else {
        const stray = templateParams(t).find((n) => !names.has(n));
        if (stray !== undefined) issues.push({ path: `${docPath}.scopes[${j}]`, message: `{${stray}} is not a parameter of the path` });
        else scopes.push(t);
      }
    });
    let node: TrieNode = this.roots.get(method) ?? { literal: new Map() };
    this.roots.set(method, node);
    for (const seg of segments) {
      if (seg.kind === 'literal') {
        const next: TrieNode = node.literal.get(seg.value) ?? { literal: new Map() };
        node.literal.set(seg.value, next);
        node = next;
      } else {
        node.param ??= { literal: new Map() };
        node = node.param;
      }
    }
    if (node.endpoint) {
      const same = node.endpoint.path === path ? 'declared twice' : `ambiguous with "${node.endpoint.method} ${node.endpoint.path}"`;
      return [...issues, { path: at, message: `"${doc.endpoint}" is ${same} (${node.endpoint.docPath})` }];
    }
    const auth = doc.auth ?? 'scopes';
    const endpoint: CompiledEndpoint = {
      method,
      path,
      docPath,
      segments,
      scopes,
      name: doc.name,
      description: doc.description,
      auth,
      allowDelete: doc.allowDelete ?? false,
      view: Object.freeze({ method, path, name: doc.name, description: doc.description, auth }),
      fixedScopes: scopes.every((t) => templateParams(t).length === 0) ? Object.freeze(scopes.map((t) => printScopePattern(instantiate(t)))) : null,
    };
    node.endpoint = endpoint;
    this.endpoints.push(endpoint);
    return issues;
  }

  /** Finds the endpoint for a concrete request; literal segments win over params. */
  match(method: string, concretePath: string): { endpoint: CompiledEndpoint; params: Record<string, string> } | undefined {
    const root = this.roots.get(method.toUpperCase());
    const parts = root ? splitPath(concretePath, true) : undefined;
    if (!root || !parts) return undefined;
    const values: string[] = [];
    const found = walk(root, parts, 0, values);
    if (!found) return undefined;
    const params: Record<string, string> = {};
    let k = 0;
    for (const seg of found.segments) if (seg.kind === 'param') params[seg.name] = values[k++] ?? '';
    return { endpoint: found, params };
  }
}

/** A value that can stand in a scope segment; anything else (`:`, `*`, empty) cannot be a param. */
const PARAM_VALUE_RE = /^[A-Za-z0-9_.-]+$/;

function walk(node: TrieNode, parts: readonly string[], i: number, values: string[]): CompiledEndpoint | undefined {
  if (i === parts.length) return node.endpoint;
  const part = parts[i] as string;
  const lit = node.literal.get(part);
  if (lit) {
    const found = walk(lit, parts, i + 1, values);
    if (found) return found;
  }
  if (node.param && PARAM_VALUE_RE.test(part)) {
    values.push(part);
    const found = walk(node.param, parts, i + 1, values);
    if (found) return found;
    values.pop();
  }
  return undefined;
}

/**
 * `/a/b/` → `['a', 'b']`. With `decode`, strips the query string and percent-decodes each segment;
 * `undefined` for a path that is not absolute, has an empty segment or bad escapes.
 */
export function splitPath(path: string, decode = false): string[] | undefined {
  let p = path;
  if (decode) {
    const cut = p.search(/[?#]/);
    if (cut >= 0) p = p.slice(0, cut);
  }
  if (!p.startsWith('/') || p.length > 8192) return undefined;
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  if (p === '/') return [];
  const parts = p.slice(1).split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') return undefined;
    // Without a `%` there is nothing to decode (and nothing can throw): skip the call on the common path.
    if (!decode || !part.includes('%')) out.push(part);
    else {
      try {
        const d = decodeURIComponent(part);
        if (d.includes('/')) return undefined;
        out.push(d);
      } catch {
        return undefined;
      }
    }
  }
  return out;
}
