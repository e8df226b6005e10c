// Explain, capabilities, the tree and the built-in management catalog.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from './load-catalog.js';
import { explain } from './explain.js';
import { capabilities } from './capabilities.js';
import { builtinCatalog } from './builtin-catalog.js';

const r = loadCatalog(`
version: 1
name: t
scopes:
  - { scope: message:send, includes: ["*:message:send"] }
  - { scope: sms:message:send }
  - { scope: sms:logs:read }
  - { scope: "read:brands[:{brand_id}]" }
resources:
  - { type: device, name: Device, actions: [{ name: List }] }
endpoints:
  - { endpoint: POST /sms, scopes: [sms:message:send, message:send] }
  - { endpoint: GET /sms/logs, scopes: [sms:logs:read] }
  - { endpoint: "GET /brands/{brand_id}", scopes: ["read:brands:{brand_id}"] }
`, 'yaml');
if (!r.ok) throw new Error(JSON.stringify(r.errors));
const catalog = r.catalog;

describe('explain', () => {
  it('names the grant that matched and the includes it went through', () => {
    expect(explain(catalog, { scopes: ['message:send'] }, { scope: 'sms:message:send' })).toEqual({
      allowed: true,
      matchedGrant: { required: 'sms:message:send', scope: 'message:send', via: ['message:send'] },
      reason: '"sms:message:send" is granted: the token\'s "message:send" grants it through "message:send"',
    });
  });

  it.each([
    [{ scopes: ['sms:logs:read'] }, { scope: 'sms:message:send' }, 'no scope of the token grants "sms:message:send"'],
    [{ scopes: ['message:send'], deny: ['sms:message:send'] }, { scope: 'sms:message:send' }, 'denied by the token\'s deny rule "sms:message:send"'],
    [{ scopes: ['*'] }, { endpoint: { method: 'GET', path: '/nowhere' } }, 'not an endpoint of the catalog'],
    [{ scopes: ['sms:logs:read'] }, { endpoint: { method: 'POST', path: '/sms' } }, 'needs any of sms:message:send, message:send, and none is granted'],
    [{ scopes: ['read:brands:b1'] }, { endpoint: { method: 'GET', path: '/brands/b2' } }, 'no scope of the token grants "read:brands:b2"'],
    [{ scopes: ['sms:logs:read'] }, { query: 'sms:message:send OR message:send' }, 'no alternative is granted'],
    [{ scopes: [] }, { resource: { type: 'device', id: 'd', action: 'Fly' } }, 'no action "Fly"'],
    [{ scopes: [] }, { query: 'a AND' }, 'does not parse'],
  ])('explains refusals: %j %j', (perms, check, reason) => {
    const e = explain(catalog, perms, check);
    expect(e.allowed).toBe(false);
    expect(e.reason).toContain(reason);
  });

  it('explains endpoint and resource grants', () => {
    expect(explain(catalog, { scopes: ['sms:message:send'] }, { endpoint: { method: 'POST', path: '/sms' } })).toMatchObject({
      allowed: true,
      matchedGrant: { required: 'sms:message:send', scope: 'sms:message:send' },
    });
    expect(explain(catalog, { scopes: ['device:*:*'] }, { resource: { type: 'device', id: 'd1', action: 'List' } })).toMatchObject({
      allowed: true,
      matchedGrant: { required: 'device:d1:List', scope: 'device:*:*' },
    });
  });
});

describe('capabilities', () => {
  it('lists every scope and endpoint a token can use', () => {
    const caps = capabilities(catalog, { scopes: ['message:send', 'read:brands:b1'] });
    expect(caps.scopes).toEqual([
      { scope: 'message:send', access: 'full' },
      { scope: 'sms:message:send', access: 'full' },
      { scope: 'read:brands[:{brand_id}]', access: 'partial' },
    ]);
    expect(caps.endpoints).toEqual([
      { method: 'POST', path: '/sms', access: 'full' },
      { method: 'GET', path: '/brands/{brand_id}', access: 'partial' },
    ]);
  });

  it('a deny removes what it covers', () => {
    const caps = capabilities(catalog, { scopes: ['*'], deny: ['sms:*'] });
    expect(caps.endpoints.map((e) => e.path)).toEqual(['/brands/{brand_id}']);
  });
});

describe('built-in catalog', () => {
  const builtin = builtinCatalog();
  it.each([
    [['*'], 'account:manage', true],
    [['tokens:*'], 'tokens:revoke', true],
    [['tokens:*'], 'catalog:write', false],
    [['tokens:read'], 'tokens:create', false],
  ])('%j grants %s → %s', (scopes, required, expected) => {
    expect(builtin.grants({ scopes }, required)).toBe(expected);
  });

  it('declares every management permission', () => {
    expect(builtin.definitions.all.map((d) => d.text)).toEqual([
      'tokens:create', 'tokens:read', 'tokens:update', 'tokens:revoke', 'tokens:delete', 'tokens:verify', 'tokens:introspect',
      'tokens:issue', 'catalog:read', 'catalog:write', 'audit:read', 'usage:read', 'usage:endpoints:read', 'endpoints:manage',
      'identities:read', 'identities:write', 'account:manage',
      'leaks:report',
    ]);
    expect(builtin.validateTokenScopes(['*', 'tokens:*', 'audit:read'])).toEqual([]);
    expect(builtin.validateTokenScopes(['tokens:fly'])).toHaveLength(1);
  });
});
