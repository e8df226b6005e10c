import { describe, expect, it } from 'vitest';
import type { ResourceDoc } from './catalog-types.js';
import { matchResourcePattern, readResourceGrant, resourcePattern } from './resource-grant.js';

const device: ResourceDoc = { type: 'device', name: 'Device', actions: [{ name: 'ListDevices' }, { name: 'DeleteDevice' }] };
const bucket: ResourceDoc = { type: 'bucket', name: 'Bucket', pattern: 'store:{tenant}:bucket:{id}:{action}', actions: [{ name: 'ReadBucket' }] };

describe('resource grants', () => {
  it('a type without a pattern spells `<type>:{id}:{action}`; one with a pattern spells its own', () => {
    expect(resourcePattern(device)).toBe('device:{id}:{action}');
    expect(resourcePattern(bucket)).toBe('store:{tenant}:bucket:{id}:{action}');
  });

  it.each([
    ['device:*:ListDevices', { type: 'device', id: '*', action: 'ListDevices' }],
    ['device:thermo-1:*', { type: 'device', id: 'thermo-1', action: '*' }],
    ['device:*:*', { type: 'device', id: '*', action: '*' }],
    ['store:acme:bucket:weather:ReadBucket', { type: 'bucket', id: 'weather', action: 'ReadBucket' }],
    ['device:thermo-1:Fly', undefined],
    ['device:thermo-1', undefined],
    ['device::ListDevices', undefined],
    ['devices:*:ListDevices', undefined],
    ['store:acme:box:weather:ReadBucket', undefined],
    ['admin', undefined],
  ])('%s reads back as %j', (scope, grant) => {
    expect(readResourceGrant([device, bucket], scope)).toEqual(grant);
  });

  it('matching a pattern leaves the action unchecked (a route method, say)', () => {
    expect(matchResourcePattern({ type: 'endpoint' }, 'endpoint:orders:POST')).toEqual({ id: 'orders', action: 'POST' });
    expect(matchResourcePattern({ type: 'endpoint' }, 'endpoints:orders:POST')).toBeUndefined();
  });
});
