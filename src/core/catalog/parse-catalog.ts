/** Reads a catalog from YAML or JSON text and checks it against the published JSON Schema. */
import { LineCounter, parseDocument, isNode } from 'yaml';
import { catalogSchema } from './catalog-schema.js';
import { checkSchema } from './check-schema.js';
import type { CatalogDocument, CatalogIssue } from './catalog-types.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../json-depth.js';
import { MAX_SOURCE_NESTING, sourceNestingBound } from './source-depth.js';

/** Finds the 1-based source line of a document path such as `scopes[3].includes[0]`. */
export type LineLocator = (path: string) => number | undefined;

export type ParseCatalogResult =
  | { ok: true; catalog: CatalogDocument; locate: LineLocator }
  | { ok: false; errors: CatalogIssue[] };

/** Largest catalog text accepted; a catalog is configuration, not data. */
export const MAX_CATALOG_BYTES = 4 * 1024 * 1024;

/**
 * Parses catalog text. Structural problems (syntax, unknown fields, wrong types) come back as issues
 * with path and line; cross-references are checked by `compileCatalog`.
 *
 * @example
 * const parsed = parseCatalog('version: 1\nname: demo\nscopes:\n  - scope: "a:read"\n', 'yaml');
 * if (parsed.ok) compileCatalog(parsed.catalog, { locate: parsed.locate });
 */
export function parseCatalog(text: string, format: 'yaml' | 'json'): ParseCatalogResult {
  if (text.length > MAX_CATALOG_BYTES) {
    return { ok: false, errors: [{ path: '', message: `catalog is larger than ${MAX_CATALOG_BYTES} bytes` }] };
  }
  const tooDeep = { ok: false as const, errors: [{ path: '', message: `nested deeper than ${MAX_JSON_DEPTH} levels` }] };
  if (sourceNestingBound(text) > MAX_SOURCE_NESTING) return tooDeep;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  let value: unknown;
  if (format === 'json') {
    try {
      value = JSON.parse(text);
    } catch (e) {
      const message = e instanceof Error ? e.message : 'invalid JSON';
      return { ok: false, errors: [{ path: '', message: `invalid JSON: ${message}` }] };
    }
  } else {
    if (doc.errors.length > 0) {
      return {
        ok: false,
        errors: doc.errors.map((e) => ({ path: '', line: lineCounter.linePos(e.pos[0]).line, message: `invalid YAML: ${firstLine(e.message)}` })),
      };
    }
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      return { ok: false, errors: [{ path: '', message: `invalid YAML: ${e instanceof Error ? e.message : 'unreadable'}` }] };
    }
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) return tooDeep;
  const locate: LineLocator = (path) => {
    if (doc.errors.length > 0) return undefined;
    const node: unknown = doc.getIn(pathKeys(path), true);
    if (!isNode(node) || !node.range) return undefined;
    return lineCounter.linePos(node.range[0]).line;
  };
  const issues = checkSchema(value, catalogSchema);
  if (issues.length > 0) return { ok: false, errors: withLines(issues, locate) };
  return { ok: true, catalog: value as CatalogDocument, locate };
}

/** Adds source lines to issues; an issue on a missing field points at its parent. */
export function withLines(issues: CatalogIssue[], locate: LineLocator | undefined): CatalogIssue[] {
  if (!locate) return issues;
  return issues.map((issue) => {
    let path = issue.path;
    let line = locate(path);
    while (line === undefined && path !== '') {
      path = parentPath(path);
      line = locate(path);
    }
    return line === undefined ? issue : { ...issue, line };
  });
}

/** `scopes[3].includes[0]` → `['scopes', 3, 'includes', 0]`. */
export function pathKeys(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) {
    keys.push(m[1] !== undefined ? Number(m[1]) : (m[2] ?? ''));
  }
  return keys;
}

function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? '' : path.slice(0, cut);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
