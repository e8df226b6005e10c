// Notifications API: every scope it names, the user_id rule, optional brand ids, tenant scopes.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadCatalog } from './load-catalog.js';

const loaded = loadCatalog(readFileSync(new URL('../../../examples/catalogs/notifications.yaml', import.meta.url), 'utf8'), 'yaml');
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const catalog = loaded.catalog;
const scopeString = (s: string): { scopes: string[] } => ({ scopes: s.split(' ') });

describe('notifications catalog (notifications API)', () => {
  it('declares every scope the platform names', () => {
    const seed = [
      'user_id:{user_id}', 'read:messages', 'read:user-tokens', 'write:user-tokens', 'read:brands[:{brand_id}]',
      'write:brands[:{brand_id}]', 'inbox:read:messages', 'inbox:write:events', 'read:preferences', 'write:preferences',
      'tenants:read', 'tenants:notifications:read', 'tenants:notifications:write', 'tenants:brand:read',
      'tenant:{tenant_id}:read', 'tenant:{tenant_id}:notification:read', 'tenant:{tenant_id}:notification:write',
      'tenant:{tenant_id}:brand:read', 'tenant:{tenant_id}:brand:write',
    ];
    expect(catalog.definitions.all.map((d) => d.text).sort()).toEqual([...seed].sort());
  });

  it('accepts the documented scope string "user_id:pigeon read:messages"', () => {
    expect(catalog.validateTokenScopes(scopeString('user_id:pigeon read:messages').scopes)).toEqual([]);
    expect(catalog.checkRequires(scopeString('user_id:pigeon user_id:bluebird read:messages'))).toEqual({ ok: true });
  });

  it.each(['read:messages', 'read:user-tokens', 'write:user-tokens'])('refuses %s without a user_id, naming both', (scope) => {
    expect(catalog.checkRequires({ scopes: [scope, 'read:brands'] })).toMatchObject({ ok: false, scope, requires: 'user_id:{user_id}' });
  });

  it.each([['user_id:pigeon'], ['user_id:pigeon user_id:bluebird'], ['user_id:*']])('refuses "%s" alone: user_id scopes cannot stand alone', (text) => {
    expect(catalog.checkRequires(scopeString(text))).toMatchObject({ ok: false, scope: text.split(' ')[0], requires: 'another scope' });
  });

  it.each([['user_id:pigeon read:brands'], ['*'], ['read:brands']])('accepts "%s" (combined, or no user_id at all)', (text) => {
    expect(catalog.checkRequires(scopeString(text))).toEqual({ ok: true });
  });

  it('checks the user of a user-bound call against the token\'s user_id scopes', () => {
    const perms = scopeString('user_id:pigeon user_id:bluebird read:messages');
    expect(catalog.checkEndpoint(perms, 'GET', '/users/pigeon/messages').allowed).toBe(true);
    expect(catalog.checkEndpoint(perms, 'GET', '/users/bluebird/messages').allowed).toBe(true);
    const other = catalog.checkEndpoint(perms, 'GET', '/users/crow/messages');
    expect(other.allowed).toBe(false);
    if (!other.allowed && other.reason === 'insufficient-scope') expect(other.decisions[0]).toMatchObject({ reason: 'requires', requires: 'user_id:crow' });
    expect(catalog.grants(perms, 'read:messages', { user_id: 'crow' })).toBe(false);
    expect(catalog.grants(perms, 'read:messages', { user_id: 'pigeon' })).toBe(true);
  });

  it.each([
    ['read:brands', 'GET', '/brands', true],
    ['read:brands', 'GET', '/brands/my_brand', true],
    ['read:brands:my_brand', 'GET', '/brands/my_brand', true],
    ['read:brands:my_brand', 'GET', '/brands/other', false],
    ['read:brands:my_brand', 'GET', '/brands', false],
    ['write:brands:my_brand', 'PUT', '/brands/my_brand', true],
    ['write:brands:my_brand', 'GET', '/brands/my_brand', false],
    ['write:brands', 'POST', '/brands', true],
  ])('%s: %s %s → %s (optional brand id)', (scope, method, path, allowed) => {
    expect(catalog.checkEndpoint({ scopes: [scope] }, method, path).allowed).toBe(allowed);
  });

  it.each([
    ['tenant:acme:notification:write', 'PUT', '/tenants/acme/notifications', true],
    ['tenant:acme:notification:write', 'PUT', '/tenants/globex/notifications', false],
    ['tenants:notifications:write', 'PUT', '/tenants/globex/notifications', true],
    ['tenant:acme:notification:read', 'PUT', '/tenants/acme/notifications', false],
    ['tenants:read', 'GET', '/tenants/acme', true],
    ['tenant:acme:read', 'GET', '/tenants', false],
    ['tenants:brand:read', 'GET', '/tenants/acme/brand', true],
    ['tenants:brand:read', 'PUT', '/tenants/acme/brand', false],
    ['tenant:acme:brand:write', 'PUT', '/tenants/acme/brand', true],
  ])('%s: %s %s → %s (tenant scopes)', (scope, method, path, allowed) => {
    expect(catalog.checkEndpoint({ scopes: [scope] }, method, path).allowed).toBe(allowed);
  });

  it('issues narrower tokens only', () => {
    const parent = scopeString('user_id:pigeon read:messages read:brands');
    expect(catalog.isSubset(scopeString('user_id:pigeon read:messages read:brands:my_brand'), parent).ok).toBe(true);
    expect(catalog.isSubset(scopeString('user_id:crow read:messages'), parent)).toMatchObject({ ok: false, scope: 'user_id:crow' });
    expect(catalog.isSubset(scopeString('write:brands'), parent).ok).toBe(false);
  });
});
