/**
 * The end client's address for forward auth. A forwarding header is believed only from a trusted proxy (the
 * direct peer is in `TESSERA_TRUSTED_PROXIES`), and only the one header the configured gateway kind sets
 * (gateway-kind.ts). From anyone else none is: a client could write them.
 */
import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { parseIpAllowlist } from '../core/ip-allowlist.js';
import { GATEWAY_HEADERS, GATEWAY_KINDS, type GatewayKind } from './gateway/gateway-kind.js';

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

/**
 * What a trusted gateway's request counts as coming from when it names no client address of its kind (its header
 * missing, or not an IP): no IP, so a token with allowed IPs never matches it. The peer is not used instead: it is
 * the gateway itself, whose address a fenced token may well allow.
 */
export const NO_CLIENT_ADDRESS = 'unknown';

const addressHeaders = Object.fromEntries(
  GATEWAY_KINDS.map((kind) => [kind, { name: GATEWAY_HEADERS[kind].address.header.toLowerCase(), rightmost: GATEWAY_HEADERS[kind].address.read === 'rightmost' }]),
) as Record<GatewayKind, { name: string; rightmost: boolean }>;

/**
 * The end client's address of a forward-auth request from `peer`, read from the one header the gateway of `kind`
 * sets (gateway-kind.ts), and only when `peer` is a trusted proxy; any other forwarding header is ignored.
 */
export function clientAddress(trustProxy: TrustProxy | undefined): (peer: string, headers: IncomingHttpHeaders, kind: GatewayKind) => string {
  const trusted = trustsPeer(trustProxy);
  return (peer, headers, kind) => {
    if (!trusted(peer)) return peer;
    const { name, rightmost } = addressHeaders[kind];
    const value = headers[name];
    if (typeof value !== 'string') return NO_CLIENT_ADDRESS;
    // The gateway appended the address it heard from last; Node joins a repeated X-Forwarded-For with ", ".
    const text = (rightmost ? value.slice(value.lastIndexOf(',') + 1) : value).trim();
    return isIP(text) === 0 ? NO_CLIENT_ADDRESS : text;
  };
}
