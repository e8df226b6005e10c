import { describe, expect, it } from 'vitest';
import type { CatalogDocument } from './catalog-types.js';
import { diffCatalogs } from './diff-catalogs.js';

const base: CatalogDocument = {
  version: 1,
  name: 'a',
  scopes: [{ scope: 'a:read' }, { scope: 'a:write', includes: ['a:read'] }],
  templates: [{ id: 'reader', name: 'Reader', scopes: ['a:read'] }],
  endpoints: [{ endpoint: 'GET /a', scopes: ['a:read'] }],
};

describe('diffCatalogs', () => {
  it('reports nothing for the same document', () => {
    expect(diffCatalogs(base, structuredClone(base)).same).toBe(true);
  });

  it('reports added, removed and changed entries by identity', () => {
    const next: CatalogDocument = {
      ...base,
      scopes: [{ scope: 'a:write' }, { scope: 'a:delete' }],
      templates: [{ id: 'reader', name: 'Reader', scopes: ['a:read', 'a:write'] }],
      endpoints: [{ endpoint: 'GET /a', scopes: ['a:read'] }, { endpoint: 'DELETE /a', scopes: ['a:delete'] }],
    };
    const diff = diffCatalogs(base, next);
    expect(diff.same).toBe(false);
    expect(diff.scopes).toEqual({ added: ['a:delete'], removed: ['a:read'], changed: ['a:write'] });
    expect(diff.templates).toEqual({ added: [], removed: [], changed: ['reader'] });
    expect(diff.endpoints).toEqual({ added: ['DELETE /a'], removed: [], changed: [] });
  });

  it('treats no previous catalog as everything added', () => {
    expect(diffCatalogs(null, base).scopes.added).toEqual(['a:read', 'a:write']);
  });
});
