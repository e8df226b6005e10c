/** The hot path: is this secret a live token, from an allowed address, holding these scopes? */
import { permits } from '../core/scope.js';
import { checkSecretShape, hashSecret } from '../core/token-format.js';
import { tokenState } from '../core/token-state.js';
import type { Scope, TokenRecord, VerifyCode } from '../core/types.js';
import type { ServiceContext } from './context.js';
import type { CachedToken } from './token-cache.js';

export interface VerifyInput {
  secret: string;
  /** All are required. Already parsed by the caller. */
  scopes?: readonly Scope[];
  /** The client address the token is presented from; checked against the token's allowed IPs. */
  ip?: string;
}

export type VerifyResult =
  | { valid: true; code: 'VALID'; token: TokenRecord }
  | { valid: false; code: 'NOT_FOUND' }
  | { valid: false; code: Exclude<VerifyCode, 'VALID' | 'NOT_FOUND' | 'INSUFFICIENT_SCOPE'>; token: TokenRecord }
  | { valid: false; code: 'INSUFFICIENT_SCOPE'; token: TokenRecord; missingScopes: Scope[] };

const NOT_FOUND = { valid: false, code: 'NOT_FOUND' } as const;

/**
 * Answers from memory when the secret is cached (no await, no I/O); otherwise reads the store once and
 * caches the answer, including "unknown". Never writes to the database: usage is counted in memory.
 */
export function verifyToken(ctx: ServiceContext, input: VerifyInput): VerifyResult | Promise<VerifyResult> {
  // Malformed and checksum-failing strings are refused before any lookup.
  if (!checkSecretShape(input.secret).ok) return NOT_FOUND;
  const hash = hashSecret(input.secret);
  const cached = ctx.tokenCache.get(hash);
  if (cached === null) return NOT_FOUND;
  if (cached !== undefined) return evaluate(ctx, cached, input);
  return ctx.store.findSecret(hash).then((found) => {
    if (!found) {
      ctx.tokenCache.setMissing(hash);
      return NOT_FOUND;
    }
    return evaluate(ctx, ctx.tokenCache.setFound(found.secret, found.token), input);
  });
}

function evaluate(ctx: ServiceContext, entry: CachedToken, input: VerifyInput): VerifyResult {
  const nowMs = ctx.clock.now();
  const { token } = entry;
  // A rotated-out secret past its overlap opens nothing, as if it had never existed.
  if (entry.secretExpiresAtMs !== null && nowMs >= entry.secretExpiresAtMs) return NOT_FOUND;
  const state = tokenState(token, nowMs);
  if (state !== 'VALID') return { valid: false, code: state, token };
  if (token.allowedIps.length > 0 && (input.ip === undefined || !entry.ipAllowlist.allows(input.ip))) {
    return { valid: false, code: 'IP_NOT_ALLOWED', token };
  }
  if (input.scopes && input.scopes.length > 0) {
    const missing = input.scopes.filter((scope) => !permits(token, scope));
    if (missing.length > 0) return { valid: false, code: 'INSUFFICIENT_SCOPE', token, missingScopes: missing };
  }
  ctx.usage.record(token.accountId, token.id, nowMs);
  return { valid: true, code: 'VALID', token };
}
