import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientAddress, NO_CLIENT_ADDRESS } from './client-address.js';
import type { GatewayKind } from './gateway/gateway-kind.js';

const trusted = ['10.0.0.0/8', '127.0.0.1', '::1'];
const address = clientAddress(trusted);
const forged = { 'x-real-ip': '198.51.100.1', 'x-forwarded-for': '198.51.100.1' };

describe('clientAddress', () => {
  it.each<[string, GatewayKind, string, Record<string, string>, string]>([
    ['an untrusted peer: its own address, whatever it sends', 'nginx', '203.0.113.9', forged, '203.0.113.9'],
    ['an untrusted peer behind traefik too', 'traefik', '203.0.113.9', forged, '203.0.113.9'],
    ['nginx: X-Real-IP, trimmed', 'nginx', '127.0.0.1', { 'x-real-ip': ' 198.51.100.1 ', 'x-forwarded-for': '192.0.2.1' }, '198.51.100.1'],
    ['nginx: never X-Forwarded-For', 'nginx', '127.0.0.1', { 'x-forwarded-for': '192.0.2.1' }, NO_CLIENT_ADDRESS],
    ['nginx: an X-Real-IP that is no address', 'nginx', '127.0.0.1', { 'x-real-ip': '198.51.100.1, 192.0.2.1' }, NO_CLIENT_ADDRESS],
    ['traefik: the rightmost hop', 'traefik', '127.0.0.1', { 'x-forwarded-for': '192.0.2.1, 198.51.100.2' }, '198.51.100.2'],
    ['traefik: trusted-looking hops are not skipped', 'traefik', '127.0.0.1', { 'x-forwarded-for': '192.0.2.1, 10.0.0.7' }, '10.0.0.7'],
    ['traefik: never X-Real-IP', 'traefik', '127.0.0.1', { 'x-real-ip': '192.0.2.1' }, NO_CLIENT_ADDRESS],
    ['caddy: the rightmost hop', 'caddy', '::1', { 'x-forwarded-for': '2001:db8::1', 'x-real-ip': '192.0.2.1' }, '2001:db8::1'],
    ['caddy: an empty last hop is no address', 'caddy', '127.0.0.1', { 'x-forwarded-for': '192.0.2.1,' }, NO_CLIENT_ADDRESS],
    ['a trusted peer without the header: no address, not the peer', 'nginx', '10.9.9.9', {}, NO_CLIENT_ADDRESS],
    ['over the Unix socket, not trusted here: unix', 'nginx', 'unix', { 'x-real-ip': '192.0.2.1' }, 'unix'],
  ])('%s', (_name, kind, peer, headers, expected) => {
    expect(address(peer, headers, kind)).toBe(expected);
  });

  it('trusts the socket only when unix is listed', () => {
    expect(clientAddress(['unix'])('unix', { 'x-forwarded-for': '192.0.2.1' }, 'traefik')).toBe('192.0.2.1');
    expect(clientAddress(['unix'])('unix', { 'x-real-ip': '192.0.2.2' }, 'nginx')).toBe('192.0.2.2');
  });

  it('behind traefik or caddy, nothing a client writes before the gateway’s hop moves the address', () => {
    const hop = fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 12 }).filter((s) => !s.includes(',')));
    fc.assert(
      fc.property(fc.constantFrom<GatewayKind>('traefik', 'caddy'), fc.array(hop, { maxLength: 5 }), fc.ipV4(), fc.string({ maxLength: 20 }), (kind, written, real, realIp) => {
        const headers = { 'x-forwarded-for': [...written, real].join(', '), 'x-real-ip': realIp };
        expect(address('127.0.0.1', headers, kind)).toBe(real);
      }),
      { numRuns: 300 },
    );
  });
});
