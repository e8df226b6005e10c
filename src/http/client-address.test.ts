import fc from 'fast-check';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.js';

const trusted = ['10.0.0.0/8', '127.0.0.1', '::1'];
const address = clientAddress(trusted);

describe('clientAddress', () => {
  it.each([
    ['an untrusted peer: its own address, whatever it sends', '203.0.113.9', { 'x-real-ip': '198.51.100.1', 'x-forwarded-for': '198.51.100.1' }, '203.0.113.9'],
    ['a trusted peer: X-Real-IP first', '127.0.0.1', { 'x-real-ip': ' 198.51.100.1 ', 'x-forwarded-for': '192.0.2.1' }, '198.51.100.1'],
    ['a trusted peer: the last hop of X-Forwarded-For', '127.0.0.1', { 'x-forwarded-for': '192.0.2.1, 198.51.100.2' }, '198.51.100.2'],
    ['trusted hops are skipped from the right', '127.0.0.1', { 'x-forwarded-for': '192.0.2.1, 198.51.100.2, 10.1.2.3, 10.0.0.7' }, '198.51.100.2'],
    ['empty entries are skipped', '127.0.0.1', { 'x-forwarded-for': '192.0.2.1,, 10.0.0.7 ,' }, '192.0.2.1'],
    ['all hops trusted: the first one', '127.0.0.1', { 'x-forwarded-for': '10.0.0.1, 10.0.0.2' }, '10.0.0.1'],
    ['a trusted peer without forwarding headers: the peer', '10.9.9.9', {}, '10.9.9.9'],
    ['over the Unix socket, not trusted here: unix', 'unix', { 'x-forwarded-for': '192.0.2.1' }, 'unix'],
  ])('%s', (_name, peer, headers, expected) => {
    expect(address(peer, headers)).toBe(expected);
  });

  it('trusts the socket only when unix is listed', () => {
    expect(clientAddress(['unix'])('unix', { 'x-forwarded-for': '192.0.2.1' })).toBe('192.0.2.1');
    expect(clientAddress(['unix'])('unix', { 'x-real-ip': '192.0.2.2' })).toBe('192.0.2.2');
  });

  it('reads X-Forwarded-For as Fastify’s trustProxy does (request.ip)', async () => {
    const app = Fastify({ trustProxy: trusted });
    app.get('/', async (request) => request.ip);
    const hop = fc.constantFrom('10.0.0.1', '10.200.3.4', '127.0.0.1', '192.0.2.1', '198.51.100.7', '203.0.113.5', '::1', '2001:db8::1', '');
    const separator = fc.constantFrom(',', ', ', ' ,', ',  ');
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('127.0.0.1', '10.1.1.1', '203.0.113.9'), fc.array(fc.tuple(hop, separator), { maxLength: 5 }), async (peer, hops) => {
          const header = hops.map(([h, s], i) => (i === 0 ? h : s + h)).join('');
          const headers = hops.length === 0 ? {} : { 'x-forwarded-for': header };
          const res = await app.inject({ method: 'GET', url: '/', headers, remoteAddress: peer });
          expect(address(peer, headers)).toBe(res.body);
        }),
        { numRuns: 300 },
      );
    } finally {
      await app.close();
    }
  });
});
