/** An account may insist that only holders of `tokens:verify` learn anything about its tokens (`verifyRequiresPermission`). */
import { TesseraError } from '../../core/errors.js';
import { permits } from '../../core/scope.js';
import type { Scope } from '../../core/types.js';
import type { ServiceContext } from '../context.js';
import type { AuthThrottle } from './auth-throttle.js';
import { authenticate, type PresentedCredential } from './authenticate.js';
import type { VerifyResult } from './check-token.js';

/** Whether the answer may depend on the caller's own token: the account asks for it, or is not in memory. */
export function mayRequireVerifier(ctx: ServiceContext, result: VerifyResult): boolean {
  if (result.code === 'NOT_FOUND') return false;
  const account = ctx.accountCache.peek(result.token.accountId);
  return account === undefined || account.policy.verifyRequiresPermission === true;
}

/**
 * Throws unless the account of the verified token lets anyone verify, or the caller presents a token of that
 * account holding `tokens:verify`. `callerCredential` is read only when the account asks: a verify that needs no
 * caller token must not fail on a malformed Authorization header it never looks at.
 */
export async function requireVerifier(
  ctx: ServiceContext,
  throttle: AuthThrottle,
  result: VerifyResult,
  callerCredential: () => PresentedCredential | undefined,
  ip: string,
): Promise<void> {
  if (result.code === 'NOT_FOUND') return;
  const account = await ctx.accountCache.get(result.token.accountId);
  if (!account?.policy.verifyRequiresPermission) return;
  const credential = callerCredential();
  if (!credential) {
    throw new TesseraError('UNAUTHORIZED', 'this account requires verify callers to present a token holding tokens:verify');
  }
  const caller = await authenticate(ctx, throttle, credential, ip);
  if (caller.accountId !== account.id || !permits(caller.permissions, 'tokens:verify' as Scope)) {
    throw new TesseraError('FORBIDDEN', 'this account requires verify callers to hold tokens:verify', {
      requiredScopes: ['tokens:verify'],
    });
  }
}
