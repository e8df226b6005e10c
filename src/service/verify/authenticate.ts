/** Turns a presented credential into an Actor, or a 401/429 the HTTP layer renders with RFC 6750 headers. */
import { TesseraError } from '../../core/errors.js';
import type { PresentationScheme } from '../../core/types.js';
import { withCatalogPermissions, type Actor } from '../actor.js';
import type { AuthThrottle } from './auth-throttle.js';
import type { ServiceContext } from '../context.js';
import { needsAccountPolicy, presentationRefusal } from './presentation-policy.js';
import { verifyOpaqueToken } from './verify-opaque-token.js';

export interface PresentedCredential {
  secret: string;
  scheme: PresentationScheme;
}

const failureText = {
  NOT_FOUND: 'the token is not valid',
  REVOKED: 'the token has been revoked',
  EXPIRED: 'the token has expired',
  NOT_YET_VALID: 'the token is not valid yet',
  DISABLED: 'the token is disabled',
  IP_NOT_ALLOWED: 'the token may not be used from this address',
  RATE_LIMITED: 'the token is over one of its rate limits',
  USAGE_EXCEEDED: 'the token has no credits left',
} as const;

export async function authenticate(
  ctx: ServiceContext,
  throttle: AuthThrottle,
  credential: PresentedCredential | undefined,
  ip: string,
): Promise<Actor> {
  if (!credential) {
    throw new TesseraError('UNAUTHORIZED', 'a token is required: send Authorization: Bearer <token> or X-API-Key');
  }
  // The credential is checked first and only failures are throttled: clients behind one NAT share an address,
  // and one of them guessing must not lock the others out (docs/decisions.md, "Throttling failures only").
  const result = await verifyOpaqueToken(ctx, { secret: credential.secret, ip });
  if (!result.valid) {
    const wait = throttle.retryAfterSeconds(ip);
    throttle.recordFailure(ip);
    if (wait > 0) {
      throw new TesseraError('TOO_MANY_REQUESTS', `too many failed authentications from this address; retry in ${wait} s`, {
        details: { retryAfterSeconds: wait },
      });
    }
    // INSUFFICIENT_SCOPE cannot occur here: no scope was asked for.
    const text = result.code === 'INSUFFICIENT_SCOPE' ? failureText.NOT_FOUND : failureText[result.code];
    throw new TesseraError('UNAUTHORIZED', text);
  }
  const { token } = result;
  if (needsAccountPolicy(credential.scheme)) {
    const refusal = presentationRefusal(credential.scheme, await ctx.accountCache.get(token.accountId));
    if (refusal !== null) throw new TesseraError('UNAUTHORIZED', refusal);
  }
  const actor: Actor = { accountId: token.accountId, tokenId: token.id, permissions: { scopes: token.scopes, deny: token.deny }, limits: result.limits };
  // IoT platform: a catalog scope may include Tessera's own permissions (`admin` → `tokens:*`).
  return withCatalogPermissions(actor, (await ctx.catalogs.get(token.accountId)).catalog);
}
