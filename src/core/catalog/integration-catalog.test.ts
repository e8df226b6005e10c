// Integration platform: endpoints by method, primary tokens per method, secondaries mapped to them.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadCatalog } from './load-catalog.js';

const loaded = loadCatalog(readFileSync(new URL('../../../examples/catalogs/integration.yaml', import.meta.url), 'utf8'), 'yaml');
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const catalog = loaded.catalog;

describe('integration catalog (integration platform)', () => {
  it('marks token-authenticated endpoints; DELETE exists only where deleting is allowed', () => {
    const byName = new Map<string, string[]>();
    for (const e of catalog.endpoints.endpoints.filter((x) => x.auth === 'token')) {
      const name = e.path.split('/')[3] ?? '';
      byName.set(name, [...(byName.get(name) ?? []), e.method]);
      if (e.method === 'DELETE') expect(e.allowDelete).toBe(true);
    }
    expect(Object.fromEntries(byName)).toEqual({ orders: ['POST', 'GET', 'DELETE'], customers: ['POST', 'GET'], invoices: ['POST', 'GET'] });
  });

  it.each([
    ['endpoint:orders:POST', 'POST', '/api/endpoints/orders', true],
    ['endpoint:orders:POST', 'GET', '/api/endpoints/orders', false],
    ['endpoint:orders:GET', 'GET', '/api/endpoints/orders?since=2024-01-01', true],
    ['endpoint:orders:DELETE', 'DELETE', '/api/endpoints/orders/r-17', true],
    ['endpoint:orders:*', 'DELETE', '/api/endpoints/orders/r-17', true],
    ['endpoint:orders:*', 'POST', '/api/endpoints/customers', false],
    ['endpoint:*:POST', 'POST', '/api/endpoints/invoices', true],
  ])('a primary token with %s: %s %s → %s', (scope, method, path, allowed) => {
    expect(catalog.checkEndpoint({ scopes: [scope] }, method, path).allowed).toBe(allowed);
  });

  it('a secondary token maps to primaries only through a subset of their scopes', () => {
    const primaries = { scopes: ['endpoint:orders:POST', 'endpoint:orders:GET'] };
    expect(catalog.isSubset({ scopes: ['endpoint:orders:POST'] }, primaries).ok).toBe(true);
    expect(catalog.isSubset({ scopes: ['endpoint:orders:DELETE'] }, primaries)).toMatchObject({ ok: false, reason: 'not-covered' });
  });

  it('the data viewer filter is its own scope', () => {
    expect(catalog.checkEndpoint({ scopes: ['data-viewer:read'] }, 'GET', '/api/data-viewer/orders').allowed).toBe(true);
    expect(catalog.checkEndpoint({ scopes: ['endpoint:*:*'] }, 'GET', '/api/data-viewer/orders').allowed).toBe(false);
  });
});
