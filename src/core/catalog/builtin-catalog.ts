/** Tessera's own management permissions as a catalog: what protects `/v1/*`. `*` is admin. */
import type { CatalogDocument } from './catalog-types.js';
import { compileCatalog } from './compile-catalog.js';
import { builtinScopes } from './builtin-scopes.js';
import type { CompiledCatalog } from './compiled-catalog.js';

/** The built-in catalog document; every account's management API is checked against it. */
export const builtinCatalogDocument = {
  version: 1,
  name: 'tessera',
  description: 'Permissions of the Tessera management API. The scope `*` is admin.',
  services: [
    {
      id: 'tessera',
      name: 'Tessera',
      groups: [
        { id: 'tokens', name: 'Tokens', permissions: ['tokens:create', 'tokens:read', 'tokens:update', 'tokens:revoke', 'tokens:delete', 'tokens:issue'] },
        { id: 'checks', name: 'Checks', permissions: ['tokens:verify', 'tokens:introspect'] },
        { id: 'catalog', name: 'Catalog', permissions: ['catalog:read', 'catalog:write', 'endpoints:manage'] },
        { id: 'observe', name: 'Audit and usage', permissions: ['audit:read', 'usage:read', 'usage:endpoints:read'] },
        { id: 'account', name: 'Account', permissions: ['account:manage', 'account:webhooks:read', 'account:webhooks:write'] },
        { id: 'leaks', name: 'Leak response', permissions: ['leaks:report'] },
      ],
    },
  ],
  scopes: [...builtinScopes],
  templates: [
    { id: 'admin', name: 'Admin', description: 'Everything, including the account.', scopes: ['*'] },
    { id: 'token-manager', name: 'Token manager', description: 'Manage tokens, not the catalog or account.', scopes: ['tokens:*'] },
    { id: 'auditor', name: 'Auditor', description: 'Read-only view of tokens, audit and usage.', scopes: ['tokens:read', 'audit:read', 'usage:read', 'catalog:read'] },
  ],
} as const satisfies CatalogDocument;

let compiled: CompiledCatalog | undefined;

/** The built-in catalog, compiled once. */
export function builtinCatalog(): CompiledCatalog {
  if (!compiled) {
    const result = compileCatalog(structuredClone(builtinCatalogDocument) as unknown as CatalogDocument);
    if (!result.ok) throw new Error(`built-in catalog is invalid: ${JSON.stringify(result.errors)}`);
    compiled = result.catalog;
  }
  return compiled;
}
