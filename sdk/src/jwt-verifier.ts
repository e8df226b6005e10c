/** Offline verification of Tessera-issued JWTs (RFC 9068) against the server's JWKS, with jose. */
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from 'jose';
import { TesseraApiError } from './api-error.js';
import { readJson } from './read-json.js';
import type { TesseraIdentity, VerifyOutcome } from './verify-types.js';
import { missingScopes } from './scope-match.js';

export interface OfflineJwtOptions {
  /** The `iss` Tessera signs with (`TesseraOptions.issuer`; default `tessera`). */
  issuer: string;
  /** Accept only these `aud` values (Tessera account ids); default: any account. */
  audience?: string | string[] | undefined;
}

/** A JWT is three base64url parts; Tessera's opaque tokens never contain a dot. */
export function looksLikeJwt(token: string): boolean {
  return token.startsWith('eyJ') && token.split('.').length === 3;
}

/** How the JWKS is fetched: the verifier's own fetch, clock and time limit. */
export interface JwksFetchOptions {
  fetch: typeof globalThis.fetch | undefined;
  clock: () => number;
  /** Longest wait for the JWKS, ms. */
  timeoutMs: number;
}

/**
 * Fetches the JWKS for jose, turning every answer that is not a key set into a TesseraApiError: a 502 from a proxy
 * or Tessera's 503 is an outage the app must hear of, not a bad token. jose passes the error through unchanged.
 */
function jwksFetch(fetchImpl: typeof globalThis.fetch = globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    if (response.status !== 200) throw await TesseraApiError.fromResponse(response);
    const { value, text } = await readJson(response);
    if (!Array.isArray((value as { keys?: unknown } | null)?.keys)) {
      throw TesseraApiError.unexpected(response, value, 'the answer is not a JSON Web Key Set');
    }
    return new Response(text, { status: response.status, headers: response.headers });
  };
}

export function createJwtVerifier(
  baseUrl: string,
  options: OfflineJwtOptions,
  fetching: JwksFetchOptions,
): (token: string, scopes: readonly string[]) => Promise<VerifyOutcome | undefined> {
  const clock = fetching.clock;
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', baseUrl), {
    timeoutDuration: fetching.timeoutMs,
    [customFetch]: jwksFetch(fetching.fetch),
  });
  return async (token, scopes) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        ...(options.audience !== undefined ? { audience: options.audience } : {}),
        typ: 'at+jwt',
        algorithms: ['EdDSA', 'ES256'],
        currentDate: new Date(clock()),
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, code: 'EXPIRED', missingScopes: [] };
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') return { ok: false, code: 'NOT_YET_VALID', missingScopes: [] };
      // The key set could not be fetched: Tessera is unreachable, which is not the token's fault. A key set that
      // does not hold the token's key (JWKSNoMatchingKey) is a refusal, below.
      if (error instanceof TesseraApiError) throw error;
      if (error instanceof errors.JWKSTimeout) throw TesseraApiError.fromNetworkError(Object.assign(new Error('JWKS timeout'), { name: 'TimeoutError' }));
      if (error instanceof errors.JOSEError) return { ok: false, code: 'NOT_FOUND', missingScopes: [] };
      throw TesseraApiError.fromNetworkError(error);
    }
    // Issued by a token with rate limits (or an identity): only Tessera can count it, so it is asked (undefined).
    if (payload.tessera_limits === true) return undefined;
    const granted = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    const identity = identityOf(payload, granted);
    if (identity === null) return { ok: false, code: 'NOT_FOUND', missingScopes: [] };
    const missing = missingScopes(granted, scopes);
    if (missing.length > 0) return { ok: false, code: 'INSUFFICIENT_SCOPE', missingScopes: missing };
    return { ok: true, identity };
  };
}

function identityOf(payload: JWTPayload, scopes: string[]): TesseraIdentity | null {
  const tokenId = payload.client_id;
  const accountId = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
  if (typeof tokenId !== 'string' || typeof accountId !== 'string') return null;
  return {
    tokenId,
    accountId,
    // Tessera puts the profile id in `sub`, or the issuing token's id when it has none.
    profileId: typeof payload.sub === 'string' && payload.sub !== tokenId ? payload.sub : null,
    name: null,
    scopes,
    expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : null,
    via: 'jwt',
    ...(typeof payload.jti === 'string' ? { jwtId: payload.jti } : {}),
  };
}
