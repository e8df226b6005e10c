/** Tessera's own management permissions as a catalog: what protects `/v1/*`. `*` is admin. */
import type { CatalogDocument } from './catalog-types.js';
import { compileCatalog } from './compile-catalog.js';
import type { CompiledCatalog } from './compiled-catalog.js';

const scope = (name: string, description: string): { scope: string; description: string } => ({ scope: name, description });

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
        { id: 'observe', name: 'Audit and usage', permissions: ['audit:read', 'usage:read'] },
        { id: 'account', name: 'Account', permissions: ['account:manage'] },
      ],
    },
  ],
  scopes: [
    scope('tokens:create', 'Create tokens with permissions within the creator\'s own.'),
    scope('tokens:read', 'List and show tokens (never their secrets).'),
    scope('tokens:update', 'Edit, enable, disable and rotate tokens.'),
    scope('tokens:revoke', 'Revoke tokens; final, and cascades to tokens they issued.'),
    scope('tokens:delete', 'Delete token records, one or in bulk.'),
    scope('tokens:verify', 'Call the verify endpoint when the account requires it.'),
    scope('tokens:introspect', 'OAuth 2.0 introspection and revocation as a client.'),
    scope('tokens:issue', 'Issue short-lived signed tokens for a narrower scope string.'),
    scope('catalog:read', 'Read the account\'s catalog and its versions.'),
    scope('catalog:write', 'Replace the account\'s catalog.'),
    scope('audit:read', 'Read the audit log.'),
    scope('usage:read', 'Read usage events and roll-ups.'),
    scope('endpoints:manage', 'Manage primary and secondary endpoint tokens.'),
    scope('account:manage', 'Change account policy and rotate signing keys.'),
  ],
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
