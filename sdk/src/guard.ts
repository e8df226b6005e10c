/** The framework-neutral core of the middleware: presented token + requirement → identity, or the answer to send. */
import type { TesseraErrorEnvelope } from './api-error.js';
import { rateLimitHeaders } from './ratelimit-headers.js';
import { presentedToken, type PresentationInput, type PresentationOptions } from './presented-token.js';
import type { TraceHeaders } from './trace-context.js';
import { createVerifier, type TesseraVerifier, type VerifierOptions } from './verifier.js';
import type { Requirement, TesseraIdentity, VerifyOutcome } from './verify-types.js';

/** Options shared by the Fastify, Express and Hono middleware: a verifier, or what it takes to make one. */
export type GuardOptions = PresentationOptions & {
  /** The `realm` of `WWW-Authenticate` challenges (default `tessera`). */
  realm?: string | undefined;
} & ({ verifier: TesseraVerifier } | (VerifierOptions & { verifier?: undefined }));

/**
 * A refusal, ready to send: 400, 401 or 403 with RFC 6750 `WWW-Authenticate` and Tessera's envelope; 429
 * (`RATE_LIMITED`) with `Retry-After` and the `RateLimit-Policy` / `RateLimit` fields, or (`USAGE_EXCEEDED`) when the
 * token has no credits left.
 */
export interface Denial {
  status: 400 | 401 | 403 | 429;
  headers: Record<string, string>;
  body: TesseraErrorEnvelope;
}

/** `headers`: the `RateLimit-Policy` / `RateLimit` fields to send with the answer, when the check consumed limits. */
export type GuardResult = { ok: true; identity: TesseraIdentity; headers?: Record<string, string> } | { ok: false; denial: Denial };

export interface Guard {
  verifier: TesseraVerifier;
  /**
   * Synchronous when the answer is known without I/O (no token, a malformed one, a cached positive answer).
   * `trace`: the request's W3C trace headers, sent on with a call to Tessera.
   */
  check(input: PresentationInput, requirement: Requirement, ip: string | undefined, trace?: TraceHeaders): GuardResult | Promise<GuardResult>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function envelope(messageId: string, text: string): TesseraErrorEnvelope {
  return { requestError: { serviceException: { messageId, text } } };
}

export function createGuard(options: GuardOptions): Guard {
  const verifier = options.verifier ?? createVerifier(options);
  const realm = `realm="${(options.realm ?? 'tessera').replace(/["\\]/g, '')}"`;
  const presentation: PresentationOptions = { appScheme: options.appScheme, accessTokenQuery: options.accessTokenQuery };

  const deny = (status: Denial['status'], challenge: string, body: TesseraErrorEnvelope): { ok: false; denial: Denial } => ({
    ok: false,
    denial: { status, headers: { 'www-authenticate': challenge, 'content-type': JSON_TYPE }, body },
  });
  const missing = deny(401, `Bearer ${realm}`, envelope('UNAUTHORIZED', 'a token is required'));
  const invalid = deny(401, `Bearer ${realm}, error="invalid_token"`, envelope('UNAUTHORIZED', 'the token is not valid'));
  const ambiguous = deny(400, `Bearer ${realm}, error="invalid_request"`,
    envelope('BAD_REQUEST', 'token: present the token in one place only (Authorization, X-API-Key or access_token)'));
  // The messaging seed's exact 403 body; the scopes that would have sufficed go in the challenge only.
  const forbidden = (scopes: readonly string[]) =>
    deny(403, `Bearer ${realm}, error="insufficient_scope"${scopes.length ? `, scope="${scopes.join(' ')}"` : ''}`, envelope('FORBIDDEN', 'Forbidden'));

  const toResult = (outcome: VerifyOutcome, requirement: Requirement): GuardResult => {
    if (outcome.ok) return outcome.identity.ratelimits ? { ...outcome, headers: rateLimitHeaders(outcome.identity.ratelimits, false) } : outcome;
    if (outcome.code === 'RATE_LIMITED') {
      return {
        ok: false,
        denial: {
          status: 429,
          headers: { 'content-type': JSON_TYPE, ...rateLimitHeaders(outcome.ratelimits, true) },
          body: envelope('RATE_LIMITED', 'the token is over one of its rate limits'),
        },
      };
    }
    if (outcome.code === 'USAGE_EXCEEDED') {
      return {
        ok: false,
        denial: {
          status: 429,
          headers: { 'content-type': JSON_TYPE, ...rateLimitHeaders(outcome.ratelimits, false) },
          body: envelope('USAGE_EXCEEDED', 'the token has no credits left'),
        },
      };
    }
    if (outcome.code !== 'INSUFFICIENT_SCOPE') return invalid;
    const scopes = outcome.missingScopes.length > 0 ? outcome.missingScopes : requirement.kind === 'scopes' ? requirement.scopes : [];
    return forbidden(scopes);
  };

  return {
    verifier,
    check(input, requirement, ip, trace) {
      const presented = presentedToken(input, presentation);
      switch (presented.kind) {
        case 'none':
          return missing;
        case 'ambiguous':
          return ambiguous;
        case 'malformed':
          return deny(401, `Bearer ${realm}, error="invalid_token"`, envelope('UNAUTHORIZED', presented.text));
        case 'token': {
          const identity = verifier.cached(presented.token, requirement, ip);
          if (identity) return { ok: true, identity };
          return verifier.verify(presented.token, requirement, ip, trace).then((outcome) => toResult(outcome, requirement));
        }
      }
    },
  };
}

/**
 * The requirement of `requireScopes(...)`: every scope is needed. Throws at startup on an empty or blank list.
 */
export function scopesRequirement(scopes: readonly string[]): Requirement {
  if (scopes.length === 0 || scopes.some((s) => typeof s !== 'string' || s.trim() === '')) {
    throw new TypeError('requireScopes: name at least one scope, none blank');
  }
  return { kind: 'scopes', scopes: [...scopes] };
}

/** The requirement of `requireQuery(...)`. Throws at startup on a blank query. */
export function queryRequirement(query: string): Requirement {
  if (typeof query !== 'string' || query.trim() === '') throw new TypeError('requireQuery: the query is blank');
  return { kind: 'query', query };
}

/** What every adapter offers, built on its own way of turning a requirement into a middleware (`make`). */
export interface RequirementGuards<H> {
  /** Every scope is needed. Throws at startup on an empty or blank list. */
  requireScopes(...scopes: string[]): H;
  /** A permission query (`a AND (b OR c)`). Throws at startup on a blank query. */
  requireQuery(query: string): H;
  /** The call itself (method and path), checked against the catalog's endpoints. */
  requireEndpoint(): H;
}

/** `requireScopes`, `requireQuery` and `requireEndpoint` for one framework; `callOf` reads its request's method and path. */
export function requirementGuards<R, H>(
  make: (requirementOf: (request: R) => Requirement) => H,
  callOf: (request: R) => { method: string; path: string },
): RequirementGuards<H> {
  return {
    requireScopes(...scopes) {
      const requirement = scopesRequirement(scopes);
      return make(() => requirement);
    },
    requireQuery(query) {
      const requirement = queryRequirement(query);
      return make(() => requirement);
    },
    requireEndpoint() {
      return make((request) => ({ kind: 'endpoint', ...callOf(request) }));
    },
  };
}

/** Path of a URL without its query string. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}
