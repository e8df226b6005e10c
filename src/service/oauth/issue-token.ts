/** Issuing a short-lived signed JWT (RFC 9068) for a scope string within the caller's own permissions. */
import { readAncestors } from '../tokens/token-chain.js';
import { SignJWT } from 'jose';
import { badRequest, TesseraError } from '../../core/errors.js';
import { parseDuration } from '../../core/duration.js';
import { newId } from '../../core/ids.js';
import { requirePermission, type Actor } from '../actor.js';
import { getAccount } from '../account/get-account.js';
import type { ServiceContext } from '../context.js';
import type { IssuedTokenVerifier } from '../verify/issued-token-verifier.js';
import { MAX_ISSUED_LIFETIME_SECONDS, type SigningKeys } from '../keys/signing-keys.js';
import { checkScopes } from '../tokens/token-input.js';
import { requireWithinActor } from '../tokens/token-guards.js';

export interface IssueTokenInput {
  /** Space-separated scopes, e.g. `user_id:pigeon read:messages`. */
  scope: string;
  /** Seconds, or a duration such as "2 days", "10h", "1y". Default one hour. */
  expires_in?: string | number;
}

export interface IssuedTokenResponse {
  token: string;
  token_type: 'Bearer';
  /** Seconds, after any cap (account `maxLifetime`, the issuing token's own expiry). */
  expires_in: number;
  expiresAt: string;
  scope: string;
}

export const DEFAULT_ISSUED_LIFETIME_SECONDS = 3600;

export async function issueToken(
  ctx: ServiceContext,
  keys: SigningKeys,
  issued: IssuedTokenVerifier,
  actor: Actor,
  input: IssueTokenInput,
): Promise<IssuedTokenResponse> {
  requirePermission(actor, 'tokens:issue');
  if (actor.tokenId === null) throw new TesseraError('FORBIDDEN', 'only a token can issue tokens');
  const words = input.scope.split(/\s+/).filter(Boolean);
  if (words.length === 0) throw badRequest('scope', 'must name at least one scope');
  const scopes = [...new Set(checkScopes(words, 'scope'))];

  const { catalog, version } = await ctx.catalogs.get(actor.accountId);
  if (version !== null) {
    const issue = catalog.validateTokenScopes(scopes, 'scope')[0];
    if (issue) throw badRequest(issue.path, issue.message);
  }
  // Notifications API: `read:messages` is only issued together with some `user_id:…`.
  const requires = catalog.checkRequires({ scopes, deny: [] });
  if (!requires.ok) throw badRequest('scope', `${requires.scope} requires ${requires.requires} in the same scope string: ${requires.message}`);
  requireWithinActor(catalog, actor, { scopes, deny: [] }, 'scope');

  const lifetime = parseDuration(input.expires_in ?? DEFAULT_ISSUED_LIFETIME_SECONDS);
  if (!lifetime.ok) throw badRequest('expires_in', lifetime.problem);
  if (lifetime.seconds > MAX_ISSUED_LIFETIME_SECONDS) throw badRequest('expires_in', `must be at most ${MAX_ISSUED_LIFETIME_SECONDS} s (366 days)`);

  const [account, parent] = await Promise.all([getAccount(ctx, actor), ctx.store.getToken(actor.accountId, actor.tokenId)]);
  if (!parent) throw new TesseraError('UNAUTHORIZED', 'the token is not valid');
  const nowMs = ctx.clock.now();
  const iat = Math.floor(nowMs / 1000);
  // Capped rather than refused: the caller asked for "up to", and learns the real lifetime from expires_in.
  let exp = iat + lifetime.seconds;
  if (account.policy.maxLifetimeSeconds !== null) exp = Math.min(exp, iat + account.policy.maxLifetimeSeconds);
  // Never past the issuing token's chain of creators (docs/security.md); the check path enforces it again.
  const chainExpiresAtMs = actor.limits?.expiresAtMs ?? null;
  if (parent.expiresAt !== null) exp = Math.min(exp, Math.floor(Date.parse(parent.expiresAt) / 1000));
  if (chainExpiresAtMs !== null) exp = Math.min(exp, Math.floor(chainExpiresAtMs / 1000));
  if (exp <= iat) throw new TesseraError('FORBIDDEN', 'the issuing token expires too soon to issue a token');

  const key = await keys.signingKey(actor.accountId);
  const scope = scopes.join(' ');
  // A JWT whose chain has rate limits or credits is marked, so that the SDK's offline verification sends it to
  // Tessera, which counts it against them (docs/limits.md); offline, nothing could be counted.
  const limited = [parent, ...(await readAncestors(ctx.store, parent))].some((t) => t !== null && (t.limits.length > 0 || t.credits !== null || t.identityId !== null));
  const token = await new SignJWT({ scope, client_id: parent.id, client_instance: parent.instance, ...(limited ? { tessera_limits: true } : {}) })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(issued.options.issuer)
    .setSubject(parent.profileId ?? parent.id)
    .setAudience(actor.accountId)
    .setJti(newId('issuedToken', ctx.randomBytes))
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key.privateKey);
  ctx.logger.info({ accountId: actor.accountId, issuer: parent.id, kid: key.kid, exp }, 'token issued');
  return { token, token_type: 'Bearer', expires_in: exp - iat, expiresAt: new Date(exp * 1000).toISOString(), scope };
}
