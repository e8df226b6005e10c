// Table-driven checks of every construct: plain wildcards, includes, optional ids, params, denies, requires.
import { describe, expect, it } from 'vitest';
import { compileCatalog } from './compile-catalog.js';
import { loadCatalog } from './load-catalog.js';
import type { CompiledCatalog } from './compiled-catalog.js';

function compiled(yaml: string): CompiledCatalog {
  const r = loadCatalog(yaml, 'yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.catalog;
}

const empty = compileCatalog({ version: 1, name: 'empty' });
if (!empty.ok) throw new Error('empty catalog');

const demo = compiled(`
version: 1
name: demo
scopes:
  - scope: message:send
    includes: ["*:message:send"]
  - { scope: sms:message:send }
  - { scope: whatsapp:message:send }
  - { scope: sms:manage, includes: ["sms:*"] }
  - { scope: sms:logs:read }
  - { scope: "read:brands[:{brand_id}]" }
  - { scope: "user_id:{user_id}" }
  - { scope: read:messages, requires: "user_id:{user_id}" }
  - { scope: "tenant:{tenant_id}:admin", includes: ["tenant:{tenant_id}:notification:*"] }
  - { scope: "tenant:{tenant_id}:notification:read" }
  - { scope: "tenant:{tenant_id}:notification:write" }
  - { scope: bundle, includes: [read:messages] }
resources:
  - type: device
    name: Device
    actions: [{ name: ListDevices }, { name: DeleteDevice }]
`);

describe('plain wildcard semantics (no catalog structure)', () => {
  it.each([
    ['*', 'a:b', true],
    ['*', 'a', true],
    ['a:*', 'a:b', true],
    ['a:*', 'a:b:c', true],
    ['a:*', 'a', false],
    ['a:*:c', 'a:b:c', true],
    ['a:*:c', 'a:b:d:c', false],
    ['a:*:c', 'a:b:c:d', false],
    ['a:b', 'a:b', true],
    ['a:b', 'a:b:c', false],
    ['a:b:c', 'a:b', false],
    ['a:b', 'a:*', false],
    ['tokens:*', 'tokens:create', true],
    ['bad scope', 'bad', false],
  ])('%s grants %s → %s', (held, required, expected) => {
    expect(empty.catalog.grants({ scopes: [held] }, required)).toBe(expected);
  });
});

describe('catalog constructs', () => {
  it.each([
    // includes with a leading wildcard
    [['message:send'], 'sms:message:send', true],
    [['message:send'], 'whatsapp:message:send', true],
    [['message:send'], 'sms:logs:read', false],
    [['sms:message:send'], 'message:send', false],
    // product manage
    [['sms:manage'], 'sms:logs:read', true],
    [['sms:manage'], 'whatsapp:message:send', false],
    [['sms:manage'], 'message:send', false],
    // plain wildcards over declared scopes pull in their includes
    [['message:*'], 'sms:message:send', true],
    [['*'], 'tenant:t1:notification:write', true],
    // optional trailing id
    [['read:brands'], 'read:brands:b1', true],
    [['read:brands'], 'read:brands', true],
    [['read:brands:b1'], 'read:brands:b1', true],
    [['read:brands:b1'], 'read:brands:b2', false],
    [['read:brands:b1'], 'read:brands', false],
    // params and includes that use them
    [['tenant:t1:admin'], 'tenant:t1:notification:write', true],
    [['tenant:t1:admin'], 'tenant:t2:notification:write', false],
    [['tenant:*:admin'], 'tenant:t2:notification:read', true],
    [['tenant:t1:notification:read'], 'tenant:t1:notification:write', false],
    // resources
    [['device:*:ListDevices'], 'device:*:ListDevices', true],
    [['device:d1:*'], 'device:d1:DeleteDevice', true],
    [['device:d1:*'], 'device:*:ListDevices', false],
    // requires
    [['read:messages', 'user_id:u1'], 'read:messages', true],
    [['read:messages'], 'read:messages', false],
    [['bundle', 'user_id:u1'], 'read:messages', true],
  ])('%j grants %s → %s', (scopes, required, expected) => {
    expect(demo.grants({ scopes }, required)).toBe(expected);
  });

  it.each([
    [['*'], ['sms:logs:read'], 'sms:logs:read', false],
    [['*'], ['sms:logs:read'], 'sms:message:send', true],
    [['sms:manage'], ['sms:logs:read'], 'sms:manage', false],
    [['message:send'], ['sms:message:send'], 'message:send', false],
    [['message:send'], ['sms:message:send'], 'whatsapp:message:send', true],
    [['read:brands'], ['read:brands:secret'], 'read:brands:b1', true],
    [['read:brands'], ['read:brands:secret'], 'read:brands:secret', false],
    [['read:brands'], ['read:brands'], 'read:brands:b1', false],
    [['device:*:*'], ['device:gw:*'], 'device:gw:ListDevices', false],
    [['tenant:t1:admin'], ['tenant:t1:admin'], 'tenant:t1:notification:read', false],
    [['sms:manage'], ['not a scope'], 'sms:logs:read', false],
  ])('%j with deny %j grants %s → %s', (scopes, deny, required, expected) => {
    expect(demo.grants({ scopes, deny }, required)).toBe(expected);
  });

  it('binds requires to the call', () => {
    const perms = { scopes: ['read:messages', 'user_id:u1'] };
    expect(demo.checkScope(perms, 'read:messages', { user_id: 'u2' })).toMatchObject({ allowed: false, reason: 'requires', requires: 'user_id:u2' });
    expect(demo.grants({ scopes: ['read:messages', 'user_id:*'] }, 'read:messages', { user_id: 'u2' })).toBe(true);
  });

  it.each([
    [['read:messages'], { ok: false, scope: 'read:messages', requires: 'user_id:{user_id}' }],
    [['bundle'], { ok: false, scope: 'bundle', requires: 'user_id:{user_id}' }],
    [['read:messages', 'user_id:pigeon'], { ok: true }],
    [['*'], { ok: true }],
    [['sms:manage'], { ok: true }],
  ])('checkRequires(%j)', (scopes, expected) => {
    expect(demo.checkRequires({ scopes })).toMatchObject(expected);
  });

  it.each([
    [['sms:message:send'], ['message:send'], true],
    [['message:send'], ['sms:manage'], false],
    [['sms:manage'], ['sms:*'], true],
    [['sms:*'], ['sms:manage'], true],
    [['read:brands:b1'], ['read:brands'], true],
    [['read:brands'], ['read:brands:b1'], false],
    [['tenant:t1:notification:write'], ['tenant:t1:admin'], true],
    [['tenant:*:admin'], ['tenant:t1:admin'], false],
    [['device:d1:ListDevices'], ['device:*:*'], true],
    [['*'], ['device:*:*'], false],
  ])('isSubset(%j, %j) → %s', (child, parent, expected) => {
    expect(demo.isSubset({ scopes: child }, { scopes: parent }).ok).toBe(expected);
  });

  it('isSubset respects denies on both sides', () => {
    const parent = { scopes: ['*'], deny: ['sms:logs:read'] };
    expect(demo.isSubset({ scopes: ['sms:manage'] }, parent)).toMatchObject({ ok: false, reason: 'denied', deny: 'sms:logs:read' });
    expect(demo.isSubset({ scopes: ['sms:manage'], deny: ['sms:logs:read'] }, parent).ok).toBe(true);
    expect(demo.isSubset({ scopes: ['sms:message:send'] }, parent).ok).toBe(true);
  });

  it.each([
    ['sms:manage', true],
    ['message:send AND sms:logs:read', false],
    ['message:send OR sms:logs:read', true],
    ['(whatsapp:message:send OR sms:message:send) AND sms:logs:read', true],
    ['whatsapp:message:send AND (sms:logs:read OR read:brands)', false],
    ['not a ( query', false],
  ])('query %s → %s for sms:manage', (query, expected) => {
    expect(demo.evaluateQuery({ scopes: ['sms:manage'] }, query)).toBe(expected);
  });

  it('validates token scopes against the catalog', () => {
    expect(demo.validateTokenScopes(['sms:*', 'read:brands:b1', 'tenant:t1:admin', '*'])).toEqual([]);
    expect(demo.validateTokenScopes(['foo:bar', 'tenant:{x}:admin', 'a::b'], 'deny')).toEqual([
      { path: 'deny[0]', message: '"foo:bar" matches no declared scope' },
      { path: 'deny[1]', message: '"tenant:{x}:admin" has a parameter; name a value or *' },
      { path: 'deny[2]', message: expect.stringContaining('"a::b" is not a scope') },
    ]);
  });
});
