/** Why a token may or may not do something, judged against the account's catalog. */
import { explain, type ExplainCheck, type Explanation } from '../../core/catalog/index.js';
import type { TokenRecord } from '../../core/types.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { loadToken } from '../tokens/token-guards.js';
import { verifyOpaqueToken } from '../verify/verify-opaque-token.js';

export type ExplainSubject = { tokenId: string } | { token: string };

/** Why a token may or may not do something: the decision and the grant that matched, or the reason. */
export async function explainDecision(
  ctx: ServiceContext,
  actor: Actor,
  subject: ExplainSubject,
  check: ExplainCheck,
): Promise<Omit<Explanation, 'matchedGrant'> & { matchedGrant?: { required: string; scope: string; via: string[] }; tokenId: string | null; tokenState?: string }> {
  requirePermission(actor, 'tokens:read');
  let token: TokenRecord;
  if ('tokenId' in subject) {
    token = await loadToken(ctx.store, actor, subject.tokenId);
  } else {
    const result = await verifyOpaqueToken(ctx, { secret: subject.token, ip: undefined, skipIpCheck: true });
    if (result.code === 'NOT_FOUND' || result.token.accountId !== actor.accountId) {
      return { allowed: false, tokenId: null, reason: 'the token is not valid in this account' };
    }
    if (!result.valid && result.code !== 'INSUFFICIENT_SCOPE') {
      return { allowed: false, tokenId: result.token.id, tokenState: result.code, reason: `the token is ${result.code.toLowerCase().replace(/_/g, ' ')}` };
    }
    token = result.token;
  }
  const { catalog } = await ctx.catalogs.get(actor.accountId);
  const { matchedGrant, ...decision } = explain(catalog, { scopes: token.scopes, deny: token.deny }, check);
  return { tokenId: token.id, ...decision, ...(matchedGrant ? { matchedGrant: { ...matchedGrant, via: [...matchedGrant.via] } } : {}) };
}
