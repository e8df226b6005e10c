/** createVerifier: checks a presented token against a requirement, online or offline, with a short positive cache. */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { TesseraApiError } from './api-error.js';
import { createTesseraClient } from './client.js';
import { createJwtVerifier, looksLikeJwt, type OfflineJwtOptions } from './jwt-verifier.js';
import { traceHeadersToSend, type TraceHeaders } from './trace-context.js';
import type { Requirement, TesseraIdentity, VerifyOutcome } from './verify-types.js';

export interface VerifierOptions {
  /** Where Tessera listens, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string | URL;
  /**
   * This service's own Tessera token, sent with each verify call; needed only when the account sets
   * `verifyRequiresPermission` (it must then hold `tokens:verify`).
   */
  token?: string | undefined;
  /** How long a positive answer is reused, ms (default 5000; 0 turns the cache off). Negative answers never are. */
  cacheTtlMs?: number | undefined;
  /** Most answers kept (default 10,000; least recently used go first). */
  cacheMax?: number | undefined;
  /**
   * Issued JWTs: `offline` (default) verifies them with the JWKS (`/.well-known/jwks.json`) for `requireScopes`,
   * without a call per token; `online` sends them to `POST /v1/verify` like opaque tokens. `requireQuery` and
   * `requireEndpoint` always go online (they need the catalog).
   */
  jwt?: ({ mode: 'offline' } & Partial<OfflineJwtOptions>) | { mode: 'online' } | undefined;
  /** Longest wait for Tessera, ms (default 5000): for `POST /v1/verify` and for fetching the JWKS. */
  timeoutMs?: number | undefined;
  /** A fetch to use instead of the global one. */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * Send the checked request's W3C `traceparent`/`tracestate` with each verify call (default true), so that
   * Tessera's spans continue the caller's trace. Set false when this app's own OpenTelemetry instrumentation of
   * `fetch` already sends its trace context.
   */
  propagateTrace?: boolean | undefined;
  /** The current time in ms, for JWT `exp`/`nbf` and cache expiry (default `Date.now`). */
  clock?: (() => number) | undefined;
}

/** Checks tokens; one per process is enough, and the middleware share it. */
export interface TesseraVerifier {
  /**
   * Verifies `token` against `requirement` for a client at `ip` (pass it: Tessera judges allowed IPs by it).
   * `trace`: the checked request's `traceparent`/`tracestate`, sent on with a call to Tessera (a cached answer or
   * a JWT verified offline makes none). Resolves to an outcome; rejects only with a TesseraApiError when Tessera
   * cannot answer.
   */
  verify(token: string, requirement: Requirement, ip?: string, trace?: TraceHeaders): Promise<VerifyOutcome>;
  /** The cached identity for this exact check, if a positive answer is still fresh (synchronous, no I/O). */
  cached(token: string, requirement: Requirement, ip?: string): TesseraIdentity | undefined;
  /** Forgets every cached answer (e.g. after revoking a token from this process). */
  clear(): void;
}

/** Tessera refuses longer tokens with a 400; here they are simply not valid. */
const MAX_TOKEN_LENGTH = 4096;

const sha256: (value: string) => string =
  typeof oneShotHash === 'function'
    ? (value) => oneShotHash('sha256', value, 'base64')
    : (value) => createHash('sha256').update(value).digest('base64');

/** The cache key of a requirement, without the token. */
export function requirementKey(requirement: Requirement): string {
  switch (requirement.kind) {
    case 'scopes':
      return `s\u0000${requirement.scopes.join(' ')}`;
    case 'query':
      return `q\u0000${requirement.query}`;
    case 'endpoint':
      return `e\u0000${requirement.method.toUpperCase()} ${requirement.path}`;
  }
}

const keyCache = new WeakMap<Requirement, string>();
function keyOf(requirement: Requirement): string {
  let key = keyCache.get(requirement);
  if (key === undefined) {
    key = requirementKey(requirement);
    keyCache.set(requirement, key);
  }
  return key;
}

/**
 * A verifier over one Tessera server. Positive answers are cached for `cacheTtlMs` (never past the token's expiry),
 * keyed by the token's SHA-256, the requirement and the client address; a revoked token keeps working for at most
 * that long. Tokens are never kept in clear.
 *
 * @example
 * ```ts
 * import { createVerifier } from '@tessera/sdk';
 *
 * const verifier = createVerifier({ baseUrl: 'http://127.0.0.1:8080', cacheTtlMs: 2000 });
 * const outcome = await verifier.verify(token, { kind: 'scopes', scopes: ['orders:read'] }, '203.0.113.7');
 * if (outcome.ok) console.log(outcome.identity.tokenId);
 * else console.log(outcome.code); // e.g. "REVOKED", "INSUFFICIENT_SCOPE"
 * ```
 */
export function createVerifier(options: VerifierOptions): TesseraVerifier {
  const baseUrl = String(options.baseUrl).replace(/\/+$/, '');
  const ttl = options.cacheTtlMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const clock = options.clock ?? Date.now;
  const client = createTesseraClient({ baseUrl, token: options.token, fetch: options.fetch });
  const jwtMode = options.jwt ?? { mode: 'offline' };
  const verifyJwt =
    jwtMode.mode === 'offline'
      ? createJwtVerifier(baseUrl, { issuer: jwtMode.issuer ?? 'tessera', audience: jwtMode.audience }, { fetch: options.fetch, clock, timeoutMs })
      : undefined;
  const cache = ttl > 0 ? new LRUCache<string, TesseraIdentity>({ max: options.cacheMax ?? 10_000, ttl }) : undefined;

  const cacheKey = (token: string, requirement: Requirement, ip: string | undefined) =>
    `${sha256(token)}\u0000${keyOf(requirement)}\u0000${ip ?? ''}`;

  const propagateTrace = options.propagateTrace ?? true;

  async function online(token: string, requirement: Requirement, ip: string | undefined, trace: TraceHeaders | undefined): Promise<VerifyOutcome> {
    const body = {
      token,
      ...(requirement.kind === 'scopes' ? { scopes: [...requirement.scopes] } : {}),
      ...(requirement.kind === 'query' ? { query: requirement.query } : {}),
      ...(requirement.kind === 'endpoint' ? { endpoint: { method: requirement.method, path: requirement.path } } : {}),
      ...(ip !== undefined ? { ip } : {}),
    };
    const headers = propagateTrace ? traceHeadersToSend(trace) : undefined;
    const { data, response } = await client.POST('/v1/verify', { body, ...(headers ? { headers } : {}), signal: AbortSignal.timeout(timeoutMs) });
    // JSON that is not a verify result did not come from Tessera: an outage to report, not a refusal.
    if (typeof data?.valid !== 'boolean' || typeof data.code !== 'string') {
      throw TesseraApiError.unexpected(response, data, 'the answer is not a verify result');
    }
    if (data.valid && data.code === 'VALID' && data.tokenId !== null && data.accountId !== null) {
      return {
        ok: true,
        identity: {
          tokenId: data.tokenId,
          accountId: data.accountId,
          profileId: data.profileId,
          name: data.name,
          scopes: data.scopes,
          expiresAt: data.expiresAt,
          via: 'verify',
          ...(data.metadata ? { metadata: data.metadata } : {}),
          ...(data.ratelimits ? { ratelimits: data.ratelimits } : {}),
          ...(data.credits ? { credits: data.credits } : {}),
        },
      };
    }
    return {
      ok: false,
      code: data.code === 'VALID' ? 'NOT_FOUND' : data.code,
      missingScopes: data.missingScopes ?? [],
      ...(data.ratelimits ? { ratelimits: data.ratelimits } : {}),
      ...(data.credits ? { credits: data.credits } : {}),
    };
  }

  return {
    cached(token, requirement, ip) {
      return cache?.get(cacheKey(token, requirement, ip));
    },
    async verify(token, requirement, ip, trace) {
      if (token.length > MAX_TOKEN_LENGTH) return { ok: false, code: 'NOT_FOUND', missingScopes: [] };
      const key = cache ? cacheKey(token, requirement, ip) : '';
      const hit = cache?.get(key);
      if (hit) return { ok: true, identity: hit };
      const offline = verifyJwt && requirement.kind === 'scopes' && looksLikeJwt(token) ? await verifyJwt(token, requirement.scopes) : undefined;
      const outcome = offline ?? (await online(token, requirement, ip, trace));
      // A check that consumed rate limits or spent credits is never answered from the cache: each one must be counted by Tessera.
      if (outcome.ok && cache && outcome.identity.ratelimits === undefined && outcome.identity.credits === undefined) {
        const left = outcome.identity.expiresAt === null ? ttl : Date.parse(outcome.identity.expiresAt) - clock();
        if (left > 0) cache.set(key, outcome.identity, { ttl: Math.min(ttl, left) });
      }
      return outcome;
    },
    clear() {
      cache?.clear();
    },
  };
}
