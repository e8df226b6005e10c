/** Whatever was presented: an issued JWT (two dots) goes to the JWT checks, anything else to the opaque-token path. */
import type { ServiceContext } from '../context.js';
import { looksLikeJwt, type IssuedTokens } from './issued-tokens.js';
import type { UsageKind } from '../../store/store.js';
import { verifyToken, type VerifyInput, type VerifyResult } from './verify-token.js';

/** `kind`: record the check as a usage event of that kind (see verifyToken). */
export function verifyPresented(ctx: ServiceContext, issued: IssuedTokens, input: VerifyInput, kind?: UsageKind): VerifyResult | Promise<VerifyResult> {
  return looksLikeJwt(input.secret) ? issued.verify(input, kind) : verifyToken(ctx, input, kind);
}
