/**
 * The end client's address for forward auth. Forwarding headers are believed only from a trusted proxy (the
 * direct peer is in `TESSERA_TRUSTED_PROXIES`): nginx's `X-Real-IP` first, else `X-Forwarded-For` read from the
 * right, each trusted hop skipped (as Fastify's `trustProxy` reads it). From anyone else they are ignored: a
 * client could write them.
 */
import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { parseIpAllowlist } from '../core/ip-allowlist.js';

export type TrustProxy = boolean | string | string[];

/**
 * The peer address of a connection over Tessera's Unix socket (`TESSERA_SOCKET`), which has none: not an IP,
 * so a token with allowed IPs never matches it. `unix` in `TESSERA_TRUSTED_PROXIES` trusts the socket's peers.
 */
export const UNIX_PEER = 'unix';

/** The direct peer of the request: its IP, or {@link UNIX_PEER} over the Unix socket. */
export function peerAddress(request: { socket: { remoteAddress?: string | undefined } }): string {
  return request.socket.remoteAddress ?? UNIX_PEER;
}

/** The caller's address as Fastify reads it (`X-Forwarded-For` from trusted proxies), or {@link UNIX_PEER}. */
export function requestAddress(request: FastifyRequest): string {
  return request.ip ?? UNIX_PEER;
}

/** The entries of a `TESSERA_TRUSTED_PROXIES` list (comma-separated text or an array), trimmed, none empty. */
function listedProxies(trustProxy: string | string[]): string[] {
  return (Array.isArray(trustProxy) ? trustProxy : trustProxy.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** `trustProxy` as Fastify (proxy-addr) takes it: addresses only, without `unix`. */
export function fastifyTrustProxy(trustProxy: TrustProxy | undefined): TrustProxy {
  if (typeof trustProxy === 'boolean' || trustProxy === undefined) return trustProxy ?? false;
  const entries = listedProxies(trustProxy).filter((s) => s !== UNIX_PEER);
  return entries.length > 0 ? entries : false;
}

/** proxy-addr's names for address ranges, which Fastify's `trustProxy` also accepts. */
const named: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

export function trustsPeer(trustProxy: TrustProxy | undefined): (peer: string) => boolean {
  if (trustProxy === true) return () => true;
  if (!trustProxy) return () => false;
  const listed = listedProxies(trustProxy);
  const unix = listed.includes(UNIX_PEER);
  const entries = listed.filter((s) => s !== UNIX_PEER).flatMap((s) => named[s] ?? [s]);
  const parsed = parseIpAllowlist(entries);
  if (!parsed.ok) throw new Error(`TESSERA_TRUSTED_PROXIES: entry ${parsed.index + 1}: ${parsed.problem}`);
  // Peers are few (the gateway's connections) and checked on every request: remember each answer.
  const known = new Map<string, boolean>();
  return (peer) => {
    if (peer === UNIX_PEER) return unix;
    let trusted = known.get(peer);
    if (trusted === undefined) {
      if (known.size >= 1024) known.clear();
      known.set(peer, (trusted = parsed.allowlist.allows(peer)));
    }
    return trusted;
  };
}

/** The end client's address of a request from `peer` with these headers (a Fastify or a plain Node request). */
export function clientAddress(trustProxy: TrustProxy | undefined): (peer: string, headers: IncomingHttpHeaders) => string {
  const trusted = trustsPeer(trustProxy);
  return (peer, headers) => {
    if (!trusted(peer)) return peer;
    const real = headers['x-real-ip'];
    if (typeof real === 'string' && real.trim() !== '') return real.trim();
    const forwarded = headers['x-forwarded-for'];
    return typeof forwarded === 'string' ? forwardedClient(peer, forwarded, trusted) : peer;
  };
}

/**
 * `X-Forwarded-For` from the right: each hop a trusted proxy appended names who it heard from, so the client is
 * the first address that is not a trusted proxy (empty entries skipped, as proxy-addr does).
 */
function forwardedClient(peer: string, header: string, trusted: (address: string) => boolean): string {
  const hops = header.split(',');
  let address = peer;
  for (let i = hops.length - 1; i >= 0 && trusted(address); i--) {
    const hop = (hops[i] as string).trim();
    if (hop !== '') address = hop;
  }
  return address;
}
