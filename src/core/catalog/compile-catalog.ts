/** Validates a catalog document's cross-references and compiles it into a `CompiledCatalog`. */
import type { CatalogDocument, CatalogIssue, CatalogResult } from './catalog-types.js';
import { buildDefinitions } from './build-definitions.js';
import { findIncludeCycles } from './find-include-cycles.js';
import { EndpointIndex } from './endpoint-index.js';
import { CompiledCatalog } from './compiled-catalog.js';
import { parseScopePattern } from './scope-pattern.js';
import { namesBuiltin } from './builtin-scopes.js';
import { instantiate, parseScopeTemplate } from './scope-template.js';
import type { DefinitionIndex } from './definition-index.js';
import { withLines, type LineLocator } from './parse-catalog.js';

export interface CompileOptions {
  /** From `parseCatalog`: adds source lines to the issues. */
  locate?: LineLocator;
}

/**
 * Compiles a parsed catalog. Any issue fails the whole catalog (nothing half-applied); issues name the
 * offending entry by path (and line when `locate` is given).
 *
 * @example
 * const parsed = parseCatalog(text, 'yaml');
 * const compiled = parsed.ok ? compileCatalog(parsed.catalog, { locate: parsed.locate }) : parsed;
 * if (compiled.ok) compiled.catalog.grants({ scopes: ['message:send'] }, 'sms:message:send'); // true
 */
export function compileCatalog(doc: CatalogDocument, options: CompileOptions = {}): CatalogResult<CompiledCatalog> {
  try {
    const { index: defs, issues } = buildDefinitions(doc);
    defs.all.forEach((d) => {
      d.includes.forEach((inc, j) => {
        // An include may also name Tessera's own permissions (IoT platform: `admin` includes `tokens:*`).
        const pattern = instantiate(inc);
        if (!defs.knows(pattern) && !namesBuiltin(pattern)) issues.push({ path: `${d.path}.includes[${j}]`, message: 'matches no declared scope' });
      });
      d.requires.forEach((req, j) => {
        const at = d.requiresAt[j] ?? d.path;
        if (!defs.knows(instantiate(req))) issues.push({ path: at, message: 'matches no declared scope' });
      });
    });
    if (issues.length === 0) issues.push(...findIncludeCycles(defs));
    issues.push(...checkTemplates(doc, defs), ...checkServices(doc, defs));
    const endpoints = new EndpointIndex();
    (doc.endpoints ?? []).forEach((e, i) => {
      const path = `endpoints[${i}]`;
      const before = endpoints.endpoints.length;
      issues.push(...endpoints.add(e, path));
      const added = endpoints.endpoints[before];
      if (endpoints.endpoints.length > before && added) {
        added.scopes.forEach((t, j) => {
          if (!defs.knows(instantiate(t))) issues.push({ path: `${path}.scopes[${j}]`, message: `"${e.scopes[j] ?? ''}" is not a declared scope` });
        });
      }
    });
    if (issues.length > 0) return { ok: false, errors: withLines(issues, options.locate) };
    return { ok: true, catalog: new CompiledCatalog(doc, defs, endpoints) };
  } catch (e) {
    // Input should never get here; if it does, it is still reported as a catalog problem, not a crash.
    return { ok: false, errors: [{ path: '', message: `catalog could not be compiled: ${e instanceof Error ? e.message : 'unknown error'}` }] };
  }
}

/** A scope string that templates, services and tokens may name: a valid pattern matching some declared scope. */
export function scopeIssue(scope: string, defs: DefinitionIndex): string | undefined {
  const pattern = parseScopePattern(scope);
  if (!pattern) {
    const t = parseScopeTemplate(scope);
    return 'error' in t ? `"${scope}" is not a scope: ${t.error}` : `"${scope}" has a parameter; name a value or *`;
  }
  return defs.knows(pattern) ? undefined : `"${scope}" matches no declared scope`;
}

function checkTemplates(doc: CatalogDocument, defs: DefinitionIndex): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  const ids = new Map<string, number>();
  (doc.templates ?? []).forEach((t, i) => {
    const first = ids.get(t.id);
    if (first !== undefined) issues.push({ path: `templates[${i}].id`, message: `template "${t.id}" is already declared at templates[${first}]` });
    else ids.set(t.id, i);
    t.scopes.forEach((s, j) => {
      const problem = scopeIssue(s, defs);
      if (problem !== undefined) issues.push({ path: `templates[${i}].scopes[${j}]`, message: problem });
    });
  });
  return issues;
}

function checkServices(doc: CatalogDocument, defs: DefinitionIndex): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  const ids = new Set<string>();
  (doc.services ?? []).forEach((svc, i) => {
    if (ids.has(svc.id)) issues.push({ path: `services[${i}].id`, message: `service "${svc.id}" is declared twice` });
    ids.add(svc.id);
    const groups = new Set<string>();
    svc.groups.forEach((g, j) => {
      if (groups.has(g.id)) issues.push({ path: `services[${i}].groups[${j}].id`, message: `group "${g.id}" is declared twice in "${svc.id}"` });
      groups.add(g.id);
      g.permissions.forEach((p, k) => {
        const scope = typeof p === 'string' ? p : p.scope;
        const problem = scopeIssue(scope, defs);
        const at = `services[${i}].groups[${j}].permissions[${k}]`;
        if (problem !== undefined) issues.push({ path: typeof p === 'string' ? at : `${at}.scope`, message: problem });
      });
    });
  });
  return issues;
}
