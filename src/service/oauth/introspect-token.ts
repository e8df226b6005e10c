/** OAuth 2.0 token introspection (RFC 7662) for a client authenticated by its own token. */
import type { AccountId } from '../../core/types.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { looksLikeJwt, type IssuedTokenVerifier } from '../verify/issued-token-verifier.js';
import { verifyPresented } from '../verify/verify-presented.js';

export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id: string;
      sub: string;
      token_type: 'Bearer';
      exp?: number;
      iat: number;
      nbf?: number;
      iss: string;
      aud: string;
      jti?: string;
      /** Tessera's own: the token (or, for an issued JWT, the issuing token) and its account. */
      tessera_token_id: string;
      tessera_account_id: string;
      /** The identity the token belongs to (docs/limits.md), when it has one. */
      tessera_identity_id?: string;
      tessera_external_id?: string;
    };

const INACTIVE = { active: false } as const;
const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

export async function introspectToken(ctx: ServiceContext, issued: IssuedTokenVerifier, actor: Actor, presented: string): Promise<IntrospectionResponse> {
  requirePermission(actor, 'tokens:introspect');
  // The resource server asks, not the end client: its address says nothing about the token's allowed IPs.
  const result = await verifyPresented(ctx, issued, { secret: presented, skipIpCheck: true });
  // RFC 7662 §2.2: an inactive token gets `active: false` and nothing else. So does another account's token.
  if (!result.valid || result.token.accountId !== actor.accountId) return INACTIVE;
  const { token } = result;
  const claims = looksLikeJwt(presented) ? issued.claimsOf(presented) : undefined;
  const common = {
    active: true as const,
    scope: token.scopes.join(' '),
    token_type: 'Bearer' as const,
    iss: issued.options.issuer,
    aud: token.accountId,
    tessera_token_id: token.id,
    tessera_account_id: token.accountId,
    ...(await identityClaims(ctx, token.accountId, token.identityId)),
  };
  if (claims) {
    return { ...common, client_id: claims.clientId, sub: claims.sub, exp: claims.exp, iat: claims.iat, jti: claims.jti, iss: claims.iss, aud: claims.aud };
  }
  return {
    ...common,
    client_id: token.id,
    sub: token.profileId ?? token.id,
    iat: seconds(token.createdAt),
    ...(token.expiresAt !== null ? { exp: seconds(token.expiresAt) } : {}),
    ...(token.validFrom !== null ? { nbf: seconds(token.validFrom) } : {}),
  };
}

async function identityClaims(ctx: ServiceContext, accountId: AccountId, identityId: string | null): Promise<{ tessera_identity_id?: string; tessera_external_id?: string }> {
  if (identityId === null) return {};
  const nowMs = ctx.clock.now();
  const identity = ctx.identities.peek(accountId, identityId, nowMs) ?? (await ctx.identities.load(accountId, identityId, nowMs));
  return identity === null ? {} : { tessera_identity_id: identity.id, tessera_external_id: identity.externalId };
}
