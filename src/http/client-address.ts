/**
 * The end client's address for forward auth. Forwarding headers are believed only from a trusted proxy (the
 * direct peer is in `TESSERA_TRUSTED_PROXIES`): nginx's `X-Real-IP` first, else Fastify's reading of
 * `X-Forwarded-For` (each trusted hop skipped). From anyone else they are ignored: a client could write them.
 */
import type { FastifyRequest } from 'fastify';
import { parseIpAllowlist } from '../core/ip-allowlist.js';

export type TrustProxy = boolean | string | string[];

/** proxy-addr's names for address ranges, which Fastify's `trustProxy` also accepts. */
const named: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

export function trustsPeer(trustProxy: TrustProxy | undefined): (peer: string) => boolean {
  if (trustProxy === true) return () => true;
  if (!trustProxy) return () => false;
  const entries = (Array.isArray(trustProxy) ? trustProxy : trustProxy.split(','))
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((s) => named[s] ?? [s]);
  const parsed = parseIpAllowlist(entries);
  if (!parsed.ok) throw new Error(`TESSERA_TRUSTED_PROXIES: entry ${parsed.index + 1}: ${parsed.problem}`);
  return (peer) => parsed.allowlist.allows(peer);
}

export function clientAddress(trustProxy: TrustProxy | undefined): (request: FastifyRequest) => string {
  const trusted = trustsPeer(trustProxy);
  return (request) => {
    const peer = request.socket.remoteAddress ?? request.ip;
    if (!trusted(peer)) return peer;
    const real = request.headers['x-real-ip'];
    if (typeof real === 'string' && real.trim() !== '') return real.trim();
    return request.ip;
  };
}
