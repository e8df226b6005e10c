/**
 * A token's allowed client addresses: IPv4/IPv6 addresses and CIDR ranges, parsed once, matched per request.
 *
 * Address syntax is left to `ipaddr.js`, restricted to the plain forms people write: IPv4 must be four decimal
 * parts (ipaddr would otherwise read `1.2.3` as 1.2.0.3 and `010.0.0.1` as octal), IPv6 zone ids are refused.
 * IPv4-mapped IPv6 (`::ffff:10.1.2.3`, what a dual-stack Node socket reports for an IPv4 client) is treated as
 * the IPv4 address it carries, in entries and in client addresses alike, so `10.0.0.0/8` matches it.
 * An IPv6 range wider than the mapped block (e.g. `::/0`) still matches IPv6 clients only, as in nginx.
 */
import ipaddr from 'ipaddr.js';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

export interface IpAllowlist {
  /** The normalized entries (see {@link parseIpAllowlist}). */
  readonly entries: readonly string[];
  allows(ip: string): boolean;
}

export type IpAllowlistParse =
  | { ok: true; allowlist: IpAllowlist; normalized: string[] }
  | { ok: false; index: number; problem: string };

type Range = { kind: 'ipv4'; network: IPv4; bits: number } | { kind: 'ipv6'; network: IPv6; bits: number };
type EntryParse = { ok: true; range: Range } | { ok: false; problem: string };

const PREFIX_LENGTH = /^\d{1,3}$/;
const IPV4_MAPPED_BITS = 96;

/** An address in the plain forms accepted for entries and clients, IPv4-mapped IPv6 unwrapped to IPv4. */
function parseAddress(text: string): IPv4 | IPv6 | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!ipaddr.IPv6.isValid(text)) return null;
  const address = ipaddr.IPv6.parse(text);
  return address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}

function networkOf(address: IPv4 | IPv6, bits: number): IPv4 | IPv6 {
  return address.kind() === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`)
    : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`);
}

function parseEntry(text: string): EntryParse {
  if (text.length === 0) return { ok: false, problem: 'is empty' };
  if (text.includes('%')) return { ok: false, problem: 'must not carry an IPv6 zone id' };
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const rawAddress = parseAddress(addressText);
  if (rawAddress === null) return { ok: false, problem: 'is not an IPv4 or IPv6 address or CIDR range' };
  const wasMappedV6 = rawAddress.kind() === 'ipv4' && addressText.includes(':');
  const fullBits = rawAddress.kind() === 'ipv4' ? 32 : 128;
  let bits = fullBits;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1);
    const maxBits = wasMappedV6 ? 128 : fullBits;
    const prefix = PREFIX_LENGTH.test(prefixText) ? Number(prefixText) : Number.NaN;
    if (!(prefix <= maxBits)) return { ok: false, problem: `prefix length must be an integer from 0 to ${maxBits}` };
    if (wasMappedV6 && prefix < IPV4_MAPPED_BITS) {
      // Wider than ::ffff:0:0/96, so not an IPv4 range: keep it as the IPv6 range it is.
      return checkedRange(ipaddr.IPv6.parse(addressText), prefix);
    }
    bits = wasMappedV6 ? prefix - IPV4_MAPPED_BITS : prefix;
  }
  return checkedRange(rawAddress, bits);
}

/**
 * Host bits set (`10.1.2.3/8`) are refused rather than silently masked: the writer meant either the /8 or the
 * single address, and guessing wrong on an allowlist widens access.
 */
function checkedRange(address: IPv4 | IPv6, bits: number): EntryParse {
  const network = networkOf(address, bits);
  if (network.toString() !== address.toString()) {
    return { ok: false, problem: `has host bits set; the range is ${formatRange(network, bits)}` };
  }
  return network.kind() === 'ipv4'
    ? { ok: true, range: { kind: 'ipv4', network: network as IPv4, bits } }
    : { ok: true, range: { kind: 'ipv6', network: network as IPv6, bits } };
}

function formatRange(network: IPv4 | IPv6, bits: number): string {
  const text = network.kind() === 'ipv4' ? network.toString() : (network as IPv6).toRFC5952String();
  return bits === (network.kind() === 'ipv4' ? 32 : 128) ? text : `${text}/${bits}`;
}

/**
 * Each entry an IPv4 or IPv6 address or CIDR (`10.0.0.0/8`, `2001:db8::/32`, `192.168.1.7`). Empty list = allows
 * every address. `normalized` is the canonical text of each entry: a single address stays a plain address
 * (`/32` and `/128` are dropped), a range is `network/bits`, IPv6 is in RFC 5952 form, and an IPv4-mapped IPv6
 * entry becomes its IPv4 form (`::ffff:10.0.0.0/104` → `10.0.0.0/8`). Entries are not trimmed.
 */
export function parseIpAllowlist(entries: readonly string[]): IpAllowlistParse {
  const v4: [IPv4, number][] = [];
  const v6: [IPv6, number][] = [];
  const normalized: string[] = [];
  for (const [index, entry] of entries.entries()) {
    const parsed = typeof entry === 'string' ? parseEntry(entry) : { ok: false as const, problem: 'must be a string' };
    if (!parsed.ok) return { ok: false, index, problem: parsed.problem };
    const { range } = parsed;
    if (range.kind === 'ipv4') v4.push([range.network, range.bits]);
    else v6.push([range.network, range.bits]);
    normalized.push(formatRange(range.network, range.bits));
  }
  const allowAll = entries.length === 0;
  const allowlist: IpAllowlist = {
    entries: Object.freeze([...normalized]),
    allows(ip: string): boolean {
      if (allowAll) return true;
      // Zone ids are link-local scoping, not part of the address the ranges describe.
      const client = typeof ip === 'string' ? parseAddress(ip.split('%', 1)[0] as string) : null;
      if (client === null) return false;
      return client.kind() === 'ipv4'
        ? v4.some((range) => client.match(range))
        : v6.some((range) => client.match(range));
    },
  };
  return { ok: true, allowlist, normalized };
}

/**
 * Whether every address the entry `inner` covers is covered by some entry of `outer` (both as accepted by
 * {@link parseIpAllowlist}): what a token may give what it creates. An empty `outer` covers everything; an entry
 * that does not parse is covered by nothing.
 */
export function rangeWithin(inner: string, outer: readonly string[]): boolean {
  if (outer.length === 0) return true;
  const parsed = parseEntry(inner);
  if (!parsed.ok) return false;
  const { range } = parsed;
  return outer.some((entry) => {
    const container = parseEntry(entry);
    if (!container.ok || container.range.kind !== range.kind || container.range.bits > range.bits) return false;
    return range.kind === 'ipv4'
      ? range.network.match(container.range.network as IPv4, container.range.bits)
      : range.network.match(container.range.network as IPv6, container.range.bits);
  });
}
