/** Client-side check of allowed IP entries (IPv4/IPv6 address or CIDR), so mistakes show while typing. */
const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(text: string): boolean {
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return false;
  try {
    // The URL parser implements the full IPv6 grammar (compression, embedded IPv4).
    new URL(`http://[${text}]/`);
    return true;
  } catch {
    return false;
  }
}

/** Undefined when the entry is valid, else what is wrong with it. */
export function ipProblem(entry: string): string | undefined {
  const [address = '', prefix, extra] = entry.split('/');
  if (extra !== undefined) return `"${entry}" has more than one "/"`;
  const v4 = ipv4.test(address);
  const v6 = !v4 && isIpv6(address);
  if (!v4 && !v6) return `"${address}" is not an IPv4 or IPv6 address`;
  if (prefix !== undefined) {
    const max = v4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `"/${prefix}" is not a prefix length from 0 to ${max}`;
  }
  return undefined;
}

/** Splits the text a person typed (commas, spaces or new lines) into entries. */
export function splitIps(text: string): string[] {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

interface Range { v6: boolean; value: bigint; prefix: number }

/** The address range an entry covers (an address alone is a /32 or /128); undefined when the entry is not valid. */
function rangeOf(entry: string): Range | undefined {
  if (ipProblem(entry)) return undefined;
  const [address = '', prefixText] = entry.split('/');
  const v6 = address.includes(':');
  let value = 0n;
  if (v6) {
    // The URL parser writes the address in hex groups (embedded IPv4 included), with at most one "::".
    const host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
    const [head = '', tail] = host.split('::');
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
    for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
  } else {
    for (const octet of address.split('.')) value = (value << 8n) | BigInt(Number(octet));
  }
  return { v6, value, prefix: prefixText === undefined ? (v6 ? 128 : 32) : Number(prefixText) };
}

/** Whether every address of `inner` lies in `outer` (both entries as a person writes them). */
export function ipWithin(inner: string, outer: string): boolean {
  const a = rangeOf(inner);
  const b = rangeOf(outer);
  if (!a || !b || a.v6 !== b.v6 || a.prefix < b.prefix) return false;
  const shift = BigInt((b.v6 ? 128 : 32) - b.prefix);
  return a.value >> shift === b.value >> shift;
}
