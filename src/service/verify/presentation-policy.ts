/**
 * Where a token may be presented: Bearer and X-API-Key always; the `App` scheme and the `access_token` query
 * parameter only where the account turned them on (they leak more easily: logs, referrers, other vendors' headers).
 */
import type { AccountRecord, PresentationScheme } from '../../core/types.js';

/** Why the account refuses a token presented this way, or `null` when it accepts it. */
export function presentationRefusal(scheme: PresentationScheme, account: AccountRecord | undefined): string | null {
  if (scheme === 'app') return account?.policy.allowAppScheme ? null : 'the Authorization: App scheme is not enabled for this account; use Bearer';
  if (scheme === 'query') {
    return account?.policy.allowQueryToken ? null : 'the access_token query parameter is not enabled for this account; use Authorization: Bearer';
  }
  return null;
}

/** Whether the answer depends on the account's policy (the scheme is one an account must turn on). */
export function needsAccountPolicy(scheme: PresentationScheme): scheme is 'app' | 'query' {
  return scheme === 'app' || scheme === 'query';
}
