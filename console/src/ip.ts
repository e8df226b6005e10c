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
