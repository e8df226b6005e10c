/** Whatever was presented: an issued JWT (two dots) goes to the JWT checks, anything else to the opaque-token path. */
import type { ServiceContext } from './context.js';
import { looksLikeJwt, type IssuedTokens } from './issued-tokens.js';
import { verifyToken, type VerifyInput, type VerifyResult } from './verify-token.js';

export function verifyPresented(ctx: ServiceContext, issued: IssuedTokens, input: VerifyInput): VerifyResult | Promise<VerifyResult> {
  return looksLikeJwt(input.secret) ? issued.verify(input) : verifyToken(ctx, input);
}
