/** Whatever was presented: an issued JWT (two dots) goes to the JWT checks, anything else to the opaque-token path. */
import type { UsageKind } from '../../store/store.js';
import type { ServiceContext } from '../context.js';
import type { VerifyInput, VerifyResult } from './check-token.js';
import { looksLikeJwt, type IssuedTokenVerifier } from './issued-token-verifier.js';
import { verifyOpaqueToken } from './verify-opaque-token.js';

/** `kind`: record the check as a usage event of that kind (see checkToken). */
export function verifyPresented(ctx: ServiceContext, issued: IssuedTokenVerifier, input: VerifyInput, kind?: UsageKind): VerifyResult | Promise<VerifyResult> {
  return looksLikeJwt(input.secret) ? issued.verify(input, kind) : verifyOpaqueToken(ctx, input, kind);
}
