/**
 * Checking issued JWTs: signature by the account's key (RFC 9068 `at+jwt`), then the issuing token, which must
 * still be live: revoking or disabling it cuts every JWT it issued at once. Answers from memory where it can.
 */
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AccountId, Scope, SecretHash, TokenId, TokenRecord } from '../../core/types.js';
import type { ServiceContext } from '../context.js';
import type { SigningKeys } from '../keys/signing-keys.js';
import { childEntry, type CachedToken } from './token-cache.js';
import { readAncestors } from '../tokens/token-chain.js';
import type { UsageKind } from '../../store/store.js';
import { checkToken, NOT_FOUND, type VerifyInput, type VerifyResult } from './check-token.js';

/** The claims Tessera puts in every issued token, read back after the signature checked out. */
export interface IssuedClaims {
  kid: string;
  accountId: AccountId;
  /** `client_id`: the token that issued this one. */
  clientId: TokenId;
  /** `client_instance`: which record of that id issued it (a re-created id is another instance). */
  instance: string;
  sub: string;
  scopes: Scope[];
  iss: string;
  aud: string;
  jti: string;
  /** Epoch seconds. */
  iat: number;
  exp: number;
}

interface CheckedJwt {
  claims: IssuedClaims;
  /** The issuer snapshot `entry` was built from; rebuilt when the issuer is reloaded. */
  issuer?: CachedToken;
  entry?: CachedToken;
}

export interface IssuedTokenVerifierOptions {
  /** The `iss` of every issued token. */
  issuer: string;
}

/** Compact JWS: three base64url parts. Opaque secrets (`tsr_…`) never contain a dot. */
export function looksLikeJwt(value: string): boolean {
  // The dot test first: every opaque secret on the verify hot path leaves here without running the regex.
  return value.includes('.') && JWT_SHAPE.test(value);
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export class IssuedTokenVerifier {
  /** Verified JWTs by their text: a signature is checked once, expiry and the issuer at every use. */
  private readonly checked = new LRUCache<string, CheckedJwt>({ max: 50_000 });

  constructor(
    private readonly ctx: ServiceContext,
    private readonly keys: SigningKeys,
    readonly options: IssuedTokenVerifierOptions,
  ) {}

  /** `kind`: record the check as a usage event of that kind (see checkToken). */
  verify(input: VerifyInput, kind?: UsageKind): VerifyResult | Promise<VerifyResult> {
    const checked = this.checked.get(input.secret);
    if (checked) {
      const issuer = this.cachedIssuer(checked.claims);
      if (issuer !== undefined && (checked.issuer === issuer || this.ctx.catalogs.peek(checked.claims.accountId))) {
        return this.evaluateWith(checked, issuer, input, kind);
      }
    }
    return this.verifySlowly(input, kind);
  }

  /**
   * The issuing token, from the token cache under a key no secret hash can take (hashes are hex). Living there,
   * it is dropped by whatever drops the token: a change on this instance, or one heard from another.
   */
  private cachedIssuer(claims: IssuedClaims): CachedToken | null | undefined {
    return this.ctx.changes.cacheTrusted(this.ctx.staleVerifyMs) ? this.ctx.tokenCache.get(issuerKey(claims), this.ctx.clock.now()) : undefined;
  }

  /** The claims of a JWT this instance has verified (for introspection), or `undefined`. */
  claimsOf(jwt: string): IssuedClaims | undefined {
    return this.checked.get(jwt)?.claims;
  }

  private async verifySlowly(input: VerifyInput, kind: UsageKind | undefined): Promise<VerifyResult> {
    const checked = this.checked.get(input.secret) ?? (await this.check(input.secret));
    if (!checked) return NOT_FOUND;
    const key = issuerKey(checked.claims);
    let issuer = this.cachedIssuer(checked.claims);
    if (issuer === undefined) {
      const readMark = this.ctx.tokenCache.readMark;
      const token = await this.ctx.store.getToken(checked.claims.accountId, checked.claims.clientId);
      if (token) {
        const ancestors = await readAncestors(this.ctx.store, token);
        const secret = { hash: key, tokenId: token.id, accountId: token.accountId, createdAt: token.createdAt, expiresAt: null };
        issuer = this.ctx.tokenCache.setFound(secret, token, this.ctx.clock.now(), ancestors, readMark);
      } else {
        this.ctx.tokenCache.setMissing(key, this.ctx.clock.now(), readMark);
        issuer = null;
      }
    }
    await this.ctx.catalogs.get(checked.claims.accountId);
    return this.evaluateWith(checked, issuer, input, kind);
  }

  private evaluateWith(checked: CheckedJwt, issuer: CachedToken | null, input: VerifyInput, kind: UsageKind | undefined): VerifyResult | Promise<VerifyResult> {
    // A deleted issuing token leaves its JWTs opening nothing, as if they had never existed; so does a token
    // created under a deleted one's chosen id, at any time: the JWT names the exact instance that issued it.
    if (issuer === null || checked.claims.instance !== issuer.token.instance) return NOT_FOUND;
    if (checked.issuer !== issuer || !checked.entry) {
      checked.entry = this.entryFor(checked.claims, issuer);
      checked.issuer = issuer;
    }
    return checkToken(this.ctx, checked.entry, input, kind);
  }

  /**
   * The JWT as a token for the shared checks: its scopes, subject and expiry, within the issuer's whole chain
   * (life, permissions and allowed IPs): should the issuer's permissions have narrowed since, each check of the
   * JWT is also made against them, so it grants their intersection.
   */
  private entryFor(claims: IssuedClaims, issuer: CachedToken): CachedToken {
    const parent = issuer.token;
    const expMs = claims.exp * 1000;
    const expiresAt = parent.expiresAt !== null && Date.parse(parent.expiresAt) < expMs ? parent.expiresAt : new Date(expMs).toISOString();
    const token: TokenRecord = {
      ...parent,
      profileId: claims.sub,
      // What the issuer no longer holds is refused at each check: the issuer is on the JWT's chain (childEntry).
      scopes: claims.scopes,
      deny: [],
      templates: [],
      createdAt: new Date(claims.iat * 1000).toISOString(),
      validFrom: null,
      expiresAt,
      allowedIps: [],
      enabled: true,
      revokedAt: null,
      createdBy: parent.id,
      parentId: parent.id,
    };
    return childEntry(token, issuer);
  }

  /** Signature, header and claims; `undefined` for anything not a valid Tessera-issued token. An expired one passes here. */
  private async check(jwt: string): Promise<CheckedJwt | undefined> {
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(jwt);
      kid = header.kid;
    } catch {
      return undefined;
    }
    if (typeof kid !== 'string' || kid.length > 100) return undefined;
    const key = await this.keys.verificationKey(kid);
    if (!key) return undefined;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(jwt, key.publicKey, {
        algorithms: [key.alg],
        typ: 'at+jwt',
        issuer: this.options.issuer,
        audience: key.accountId,
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id', 'client_instance', 'scope'],
        currentDate: new Date(this.ctx.clock.now()),
      }));
    } catch (error) {
      // The signature checked out and only the time is past: keep the claims, so the answer is EXPIRED.
      if (error instanceof joseErrors.JWTExpired) payload = error.payload;
      else return undefined;
    }
    const { client_id: clientId, client_instance: instance, scope, sub, jti, iat, exp, iss, aud } = payload as JWTPayload & {
      client_id?: unknown;
      client_instance?: unknown;
      scope?: unknown;
    };
    if (typeof clientId !== 'string' || typeof instance !== 'string' || typeof scope !== 'string' || typeof sub !== 'string' || typeof jti !== 'string') {
      return undefined;
    }
    if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
    const claims: IssuedClaims = {
      kid,
      accountId: key.accountId,
      clientId: clientId as TokenId,
      instance,
      sub,
      scopes: scope.split(' ').filter(Boolean) as Scope[],
      iss: String(iss),
      aud: Array.isArray(aud) ? String(aud[0]) : String(aud),
      jti,
      iat,
      exp,
    };
    const checked: CheckedJwt = { claims };
    this.checked.set(jwt, checked);
    return checked;
  }
}

function issuerKey(claims: IssuedClaims): SecretHash {
  return `issuer:${claims.accountId}:${claims.clientId}` as SecretHash;
}
