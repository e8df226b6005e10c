/** OAuth 2.0 token revocation (RFC 7009) for a client authenticated by its own token. */
import { TesseraError } from '../../core/errors.js';
import type { TokenRecord } from '../../core/types.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { revokeToken } from '../tokens/revoke-token.js';
import { looksLikeJwt } from '../verify/issued-token-verifier.js';
import { verifyOpaqueToken } from '../verify/verify-opaque-token.js';

/**
 * RFC 7009: revokes the presented token if this client may; an unknown token (or another account's) is not an
 * error, so nothing is learned from the answer. Issued JWTs are refused: revoke the token that issued them.
 */
export async function revokePresentedToken(
  ctx: ServiceContext,
  actor: Actor,
  presented: string,
): Promise<void> {
  requirePermission(actor, 'tokens:revoke');
  if (looksLikeJwt(presented)) {
    throw new TesseraError('BAD_REQUEST', 'token: issued JWTs cannot be revoked one by one; revoke the token that issued them (client_id)', {
      field: 'token',
      details: { error: 'unsupported_token_type' },
    });
  }
  const result = await verifyOpaqueToken(ctx, { secret: presented, skipIpCheck: true });
  if (result.code === 'NOT_FOUND') return;
  const token: TokenRecord = result.token;
  if (token.accountId !== actor.accountId || token.revokedAt !== null) return;
  await revokeToken(ctx, actor, token.id);
}
