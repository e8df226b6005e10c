/** What changes between two catalog documents: entries added, removed or changed, by their identity. */
import type { CatalogDocument } from './catalog-types.js';

export interface EntryDiff {
  added: string[];
  removed: string[];
  /** Present in both with different content. */
  changed: string[];
}

export interface CatalogDiff {
  scopes: EntryDiff;
  resources: EntryDiff;
  templates: EntryDiff;
  endpoints: EntryDiff;
  /** True when nothing differs in the four lists. */
  same: boolean;
}

function diffBy<T>(before: readonly T[], after: readonly T[], key: (entry: T) => string): EntryDiff {
  const was = new Map(before.map((e) => [key(e), JSON.stringify(e)]));
  const now = new Map(after.map((e) => [key(e), JSON.stringify(e)]));
  return {
    added: [...now.keys()].filter((k) => !was.has(k)),
    removed: [...was.keys()].filter((k) => !now.has(k)),
    changed: [...now.keys()].filter((k) => was.has(k) && was.get(k) !== now.get(k)),
  };
}

/**
 * @example
 * diffCatalogs(current, next).scopes.added // ['sms:logs:read']
 */
export function diffCatalogs(before: CatalogDocument | null, after: CatalogDocument): CatalogDiff {
  const scopes = diffBy(before?.scopes ?? [], after.scopes ?? [], (s) => s.scope);
  const resources = diffBy(before?.resources ?? [], after.resources ?? [], (r) => r.type);
  const templates = diffBy(before?.templates ?? [], after.templates ?? [], (t) => t.id);
  const endpoints = diffBy(before?.endpoints ?? [], after.endpoints ?? [], (e) => e.endpoint);
  const same = [scopes, resources, templates, endpoints].every((d) => d.added.length + d.removed.length + d.changed.length === 0);
  return { scopes, resources, templates, endpoints, same };
}
