import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type IpAllowlist, parseIpAllowlist, rangeWithin } from './ip-allowlist.js';

function allowlist(entries: string[]): IpAllowlist {
  const parsed = parseIpAllowlist(entries);
  if (!parsed.ok) throw new Error(`test fixture rejected: ${entries[parsed.index]}: ${parsed.problem}`);
  return parsed.allowlist;
}

describe('parseIpAllowlist', () => {
  it.each([
    ['192.168.1.7', '192.168.1.7'],
    ['192.168.1.7/32', '192.168.1.7'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.0.0.0/08', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:0DB8:0000::/32', '2001:db8::/32'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::1/128', '2001:db8::1'],
    ['::/0', '::/0'],
    ['::1', '::1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['::ffff:a00:0/104', '10.0.0.0/8'],
    ['::ffff:0:0/96', '0.0.0.0/0'],
  ])('accepts %j as %j', (entry, normalized) => {
    const parsed = parseIpAllowlist([entry]);
    expect(parsed.ok && parsed.normalized).toEqual([normalized]);
    expect(parsed.ok && parsed.allowlist.entries).toEqual([normalized]);
  });

  it.each([
    ['10.0.0.0/33', /prefix length/],
    ['2001:db8::/129', /prefix length/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0.0/-1', /prefix length/],
    ['10.0.0.0/8/8', /prefix length/],
    ['10.0.0.0/ 8', /prefix length/],
    ['10.0.0.0/1e1', /prefix length/],
    ['hello', /not an IPv4 or IPv6/],
    ['1.2.3', /not an IPv4 or IPv6/],
    ['10', /not an IPv4 or IPv6/],
    ['0x7f.0.0.1', /not an IPv4 or IPv6/],
    ['010.0.0.1', /not an IPv4 or IPv6/],
    ['256.0.0.1', /not an IPv4 or IPv6/],
    [' 10.0.0.1', /not an IPv4 or IPv6/],
    ['2001:db8:::1', /not an IPv4 or IPv6/],
    ['', /empty/],
    ['fe80::1%eth0', /zone id/],
    ['10.1.2.3/8', /host bits set; the range is 10\.0\.0\.0\/8/],
    ['2001:db8::1/32', /host bits set; the range is 2001:db8::\/32/],
  ])('refuses %j', (entry, problem) => {
    const parsed = parseIpAllowlist(['10.0.0.0/8', entry]);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.index).toBe(1);
      expect(parsed.problem).toMatch(problem);
    }
  });

  it('reports the first bad entry', () => {
    expect(parseIpAllowlist(['1.2.3.4', 'bad', 'worse'])).toMatchObject({ ok: false, index: 1 });
  });
});

describe('IpAllowlist.allows', () => {
  it('allows every address, parseable or not, when the list is empty', () => {
    const open = allowlist([]);
    expect(open.allows('10.1.2.3')).toBe(true);
    expect(open.allows('2001:db8::1')).toBe(true);
    expect(open.allows('not an ip')).toBe(true);
  });

  const v4 = allowlist(['10.0.0.0/8', '192.168.1.7', '172.16.0.0/12']);
  it.each([
    ['10.0.0.0', true],
    ['10.255.255.255', true],
    ['9.255.255.255', false],
    ['11.0.0.0', false],
    ['192.168.1.7', true],
    ['192.168.1.6', false],
    ['192.168.1.8', false],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.0', false],
    ['::ffff:10.1.2.3', true],
    ['::ffff:192.168.1.7', true],
    ['::FFFF:192.168.1.7', true],
    ['::ffff:11.1.2.3', false],
    ['::ffff:a01:203', true],
    ['2001:db8::1', false],
    ['::a01:203', false],
    ['', false],
    ['garbage', false],
    ['10.1.2', false],
    ['167772161', false],
    ['10.0.0.1/32', false],
  ])('IPv4 list: %j → %s', (ip, expected) => {
    expect(v4.allows(ip)).toBe(expected);
  });

  const v6 = allowlist(['2001:db8::/32', '::1', 'fe80::/10']);
  it.each([
    ['2001:db8::1', true],
    ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['2001:db9::', false],
    ['2001:db7:ffff::', false],
    ['2001:DB8::abcd', true],
    ['::1', true],
    ['::2', false],
    ['fe80::1%eth0', true],
    ['febf:ffff::1', true],
    ['fec0::1', false],
    ['10.0.0.1', false],
    ['::ffff:10.0.0.1', false],
  ])('IPv6 list: %j → %s', (ip, expected) => {
    expect(v6.allows(ip)).toBe(expected);
  });

  it('keeps IPv4 clients out of IPv6 ranges that are wider than the mapped block', () => {
    const allV6 = allowlist(['::/0']);
    expect(allV6.allows('2001:db8::1')).toBe(true);
    expect(allV6.allows('10.1.2.3')).toBe(false);
    expect(allV6.allows('::ffff:10.1.2.3')).toBe(false);
  });

  it('matches IPv4-mapped entries against plain IPv4 clients', () => {
    const mapped = allowlist(['::ffff:10.0.0.0/104']);
    expect(mapped.allows('10.9.9.9')).toBe(true);
    expect(mapped.allows('::ffff:10.9.9.9')).toBe(true);
    expect(mapped.allows('11.0.0.0')).toBe(false);
  });

  it('matches a /n IPv4 range exactly on its boundaries for every n', () => {
    const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    fc.assert(
      fc.property(octets, octets, fc.integer({ min: 0, max: 32 }), (net, probe, bits) => {
        const toInt = (o: number[]): number => o.reduce((acc, x) => acc * 256 + x, 0);
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        const network = (toInt(net) & mask) >>> 0;
        const text = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
        const list = allowlist([`${text(network)}/${bits}`]);
        const inside = ((toInt(probe) & mask) >>> 0) === network;
        expect(list.allows(text(toInt(probe)))).toBe(inside);
        expect(list.allows(`::ffff:${text(toInt(probe))}`)).toBe(inside);
        expect(list.allows(text(network))).toBe(true);
        expect(list.allows(text((network | (~mask >>> 0)) >>> 0))).toBe(true);
      }),
    );
  });
});

describe('rangeWithin', () => {
  it.each([
    ['10.1.0.0/16', ['10.0.0.0/8'], true],
    ['10.1.2.3', ['10.0.0.0/8'], true],
    ['10.0.0.0/8', ['10.0.0.0/8'], true],
    ['10.0.0.0/7', ['10.0.0.0/8'], false],
    ['0.0.0.0/0', ['10.0.0.0/8'], false],
    ['11.0.0.1', ['10.0.0.0/8', '11.0.0.0/24'], true],
    ['2001:db8:1::/48', ['2001:db8::/32'], true],
    ['2001:db8::/31', ['2001:db8::/32'], false],
    ['::ffff:10.1.2.3', ['10.0.0.0/8'], true],
    ['10.1.2.3', ['::/0'], false],
    ['10.1.2.3', [], true],
    ['not an address', ['10.0.0.0/8'], false],
  ] as const)('%s within %j: %s', (inner, outer, expected) => {
    expect(rangeWithin(inner, outer)).toBe(expected);
  });

  it('an entry within a list allows only addresses the list allows', () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
    const range = fc.tuple(v4, fc.integer({ min: 0, max: 32 })).map(([address, bits]) => {
      const parsed = parseIpAllowlist([address]);
      if (!parsed.ok) return address;
      // Mask to the network so the entry parses (host bits set are refused).
      const n = address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
      const masked = bits === 0 ? 0 : Math.floor(n / 2 ** (32 - bits)) * 2 ** (32 - bits);
      const text = [24, 16, 8, 0].map((shift) => Math.floor(masked / 2 ** shift) % 256).join('.');
      return `${text}/${bits}`;
    });
    fc.assert(
      fc.property(range, fc.array(range, { minLength: 1, maxLength: 3 }), v4, (inner, outer, client) => {
        fc.pre(rangeWithin(inner, outer));
        const innerList = parseIpAllowlist([inner]);
        const outerList = parseIpAllowlist(outer);
        if (!innerList.ok || !outerList.ok) return;
        if (innerList.allowlist.allows(client)) expect(outerList.allowlist.allows(client)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
