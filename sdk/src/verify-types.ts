/** The values the verifier and the middleware speak: requirements, identities, outcomes. */
import type { components } from './generated/openapi.js';

/** Tessera's verify outcome codes (`POST /v1/verify` → `code`). */
export type VerifyCode = components['schemas']['VerifyResult']['code'];

/** What a route requires of the presented token. */
export type Requirement =
  | { kind: 'scopes'; scopes: readonly string[] }
  | { kind: 'query'; query: string }
  | { kind: 'endpoint'; method: string; path: string };

/** Who the token is: set on the request by the middleware, returned by the verifier. */
export interface TesseraIdentity {
  /** The token's id (for an issued JWT: the token that issued it). */
  tokenId: string;
  accountId: string;
  /** The identity the token acts as, or null when it has none. */
  profileId: string | null;
  /** The token's name (null for a JWT verified offline). */
  name: string | null;
  /** The token's scopes (for a JWT, its `scope` claim). */
  scopes: string[];
  expiresAt: string | null;
  /** `verify`: answered by Tessera (`POST /v1/verify`); `jwt`: an issued JWT verified offline with the JWKS. */
  via: 'verify' | 'jwt';
  /** The JWT's `jti`, for JWTs verified offline. */
  jwtId?: string;
  /** The token's metadata, when Tessera answered. */
  metadata?: Record<string, unknown>;
  /** The rate limits the check consumed and their state after it, when the token or its identity has limits. */
  ratelimits?: RateLimitState[];
  /** The least credits left among the balances the check spent, when the token, its identity or its creator has credits. */
  credits?: { remaining: number };
}

/** One rate limit's state after a check (docs/limits.md). */
export type RateLimitState = NonNullable<components['schemas']['VerifyResult']['ratelimits']>[number];

/** A verification's result: expected failures are values, not exceptions. */
export type VerifyOutcome =
  | { ok: true; identity: TesseraIdentity }
  | { ok: false; code: Exclude<VerifyCode, 'VALID'>; missingScopes: string[]; ratelimits?: RateLimitState[]; credits?: { remaining: number } };
