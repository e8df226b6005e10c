// IoT platform: type × one resource or all × some actions or all, with the platform's action names.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadCatalog } from './load-catalog.js';

const loaded = loadCatalog(readFileSync(new URL('../../../examples/catalogs/iot.yaml', import.meta.url), 'utf8'), 'yaml');
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const catalog = loaded.catalog;

const seedActions: Record<string, string[]> = {
  device: ['AccessDeviceResources', 'ListDeviceResources', 'GetDeviceStats', 'CreateDeviceToken', 'ListDeviceTokens', 'DeleteDeviceToken', 'ListDevices', 'DeleteDevice', 'CreateDevice', 'UpdateDevice', 'ListDeviceLocations'],
  bucket: ['ReadBucket', 'WriteBucket', 'ExportBucket', 'ClearBucket', 'ListBuckets', 'DeleteBucket', 'CreateBucket', 'UpdateBucket', 'ReadBucketConfig'],
  endpoint: ['ListEndpoints', 'CreateEndpoint', 'ReadEndpointConfig', 'UpdateEndpoint', 'DeleteEndpoint', 'CallEndpoint'],
  dashboard: ['ListDashboards', 'CreateDashboard', 'ReadDashboardConfig', 'UpdateDashboard', 'DeleteDashboard'],
  token: ['ListTokens', 'CreateToken', 'ReadTokenConfig', 'UpdateToken', 'DeleteToken'],
};

describe('iot catalog (IoT platform)', () => {
  it('declares exactly the platform’s permission types and action names', () => {
    const doc = catalog.document;
    expect(Object.fromEntries((doc.resources ?? []).map((r) => [r.type, r.actions.map((a) => a.name)]))).toEqual(seedActions);
    expect(catalog.document.services?.[0]?.groups.map((g) => g.name)).toEqual(['Admin Access', 'Device', 'Bucket', 'Endpoint', 'Dashboard', 'Token']);
  });

  it.each([
    [['device:*:ListDevices'], 'device', '*', 'ListDevices', true],
    [['device:*:ListDevices'], 'device', 'thermo-1', 'DeleteDevice', false],
    [['device:thermo-1:*'], 'device', 'thermo-1', 'AccessDeviceResources', true],
    [['device:thermo-1:*'], 'device', 'thermo-2', 'AccessDeviceResources', false],
    [['device:thermo-1:*'], 'device', '*', 'ListDevices', false],
    [['bucket:weather:WriteBucket'], 'bucket', 'weather', 'WriteBucket', true],
    [['bucket:weather:WriteBucket'], 'bucket', 'weather', 'ReadBucket', false],
    [['admin'], 'token', 'any', 'DeleteToken', true],
    [['admin'], 'dashboard', '*', 'CreateDashboard', true],
    [['device:*:*'], 'device', 'x', 'NotAnAction', false],
  ])('%j: %s %s %s → %s', (scopes, type, id, action, allowed) => {
    expect(catalog.checkResourceAction({ scopes }, type, id, action)).toBe(allowed);
  });

  it('a deny rule wins over an all-resources grant', () => {
    const perms = { scopes: ['device:*:*'], deny: ['device:gateway:DeleteDevice'] };
    expect(catalog.checkResourceAction(perms, 'device', 'thermo-1', 'DeleteDevice')).toBe(true);
    expect(catalog.checkResourceAction(perms, 'device', 'gateway', 'DeleteDevice')).toBe(false);
    expect(catalog.checkEndpoint(perms, 'DELETE', '/v1/users/alice/devices/gateway').allowed).toBe(false);
  });

  it('substitutes the device in endpoint checks', () => {
    const perms = { scopes: ['device:thermo-1:AccessDeviceResources'] };
    expect(catalog.checkEndpoint(perms, 'GET', '/v1/users/alice/devices/thermo-1/resources/temp').allowed).toBe(true);
    expect(catalog.checkEndpoint(perms, 'GET', '/v1/users/alice/devices/thermo-2/resources/temp').allowed).toBe(false);
    expect(catalog.checkEndpoint({ scopes: ['device:*:ListDeviceLocations'] }, 'GET', '/v1/users/alice/devices/locations').allowed).toBe(true);
  });

  it('refuses grants with unknown actions or types when a token is made', () => {
    expect(catalog.validateTokenScopes(['device:*:ListDevices', 'device:x:Fly', 'robot:*:*'])).toEqual([
      { path: 'scopes[1]', message: '"device:x:Fly" matches no declared scope' },
      { path: 'scopes[2]', message: '"robot:*:*" matches no declared scope' },
    ]);
  });

  it('edited permissions (added later) stay within the editor\'s own', () => {
    const editor = { scopes: ['device:*:*', 'bucket:weather:*'] };
    expect(catalog.isSubset({ scopes: ['device:thermo-1:GetDeviceStats', 'bucket:weather:ReadBucket'] }, editor).ok).toBe(true);
    expect(catalog.isSubset({ scopes: ['bucket:*:ReadBucket'] }, editor)).toMatchObject({ ok: false, scope: 'bucket:*:ReadBucket' });
  });
});

describe('iot admin and Tessera’s own permissions', () => {
  const builtins = ['tokens:create', 'tokens:read', 'usage:read', 'audit:read', 'catalog:read', 'catalog:write', 'account:manage', 'endpoints:manage'];

  it('reaches the named management permissions, not catalog:write or account:manage', () => {
    expect(catalog.reachedThroughIncludes({ scopes: ['admin'] }, builtins)).toEqual(['tokens:create', 'tokens:read', 'usage:read', 'audit:read', 'catalog:read']);
  });

  it('a deny rule takes one away; other scopes reach none', () => {
    expect(catalog.reachedThroughIncludes({ scopes: ['admin'], deny: ['tokens:create'] }, builtins)).not.toContain('tokens:create');
    expect(catalog.reachedThroughIncludes({ scopes: ['device:*:*'] }, builtins)).toEqual([]);
  });

  it('an admin cannot hand out "*" or what it does not reach', () => {
    expect(catalog.isSubset({ scopes: ['*'] }, { scopes: ['admin'] }).ok).toBe(false);
    expect(catalog.isSubset({ scopes: ['device:*:ListDevices', 'tokens:read'] }, { scopes: ['admin'] }).ok).toBe(true);
  });

  it('a "*" include never reaches them; naming them does', () => {
    const open = loadCatalog('version: 1\nname: x\nscopes:\n  - { scope: all, includes: ["*"] }\n  - { scope: ops, includes: ["tokens:*"] }\n', 'yaml');
    if (!open.ok) throw new Error(JSON.stringify(open.errors));
    expect(open.catalog.reachedThroughIncludes({ scopes: ['all'] }, builtins)).toEqual([]);
    expect(open.catalog.reachedThroughIncludes({ scopes: ['ops'] }, builtins)).toEqual(['tokens:create', 'tokens:read']);
    expect(open.catalog.builtinIncludes(builtins)).toEqual([{ path: 'scopes[1].includes[0]', include: 'tokens:*', grants: ['tokens:create', 'tokens:read'] }]);
  });
});
