/** Who a check's cost is counted against: every token on the chain with limits, and every identity on it, once each. */
import type { TokenId, TokenRecord } from '../../core/types.js';
import type { RateLimitRule } from '../../core/usage-limits.js';
import type { CreditsRecord } from '../../core/credits.js';

export interface ChainHolders {
  /**
   * The token and each ancestor that has limits or credits of its own (a child never passes more than its parent's
   * limits allow, nor spends past its parent's credits).
   */
  tokens: readonly { tokenId: TokenId; limits: readonly RateLimitRule[]; credits: CreditsRecord | null }[];
  /** Identities of the token and of its ancestors, each once. */
  identityIds: readonly string[];
}

export const NO_HOLDERS: ChainHolders = Object.freeze({ tokens: [], identityIds: [] });

/** The holders of `records` (the token first, then its ancestors or its issuer's holders), without repeats. */
export function chainHolders(records: readonly TokenRecord[], after: ChainHolders = NO_HOLDERS): ChainHolders {
  const tokens = [...after.tokens];
  const identityIds = [...after.identityIds];
  for (const record of [...records].reverse()) {
    if ((record.limits.length > 0 || record.credits !== null) && !tokens.some((t) => t.tokenId === record.id)) {
      tokens.unshift({ tokenId: record.id, limits: record.limits, credits: record.credits });
    }
    if (record.identityId !== null && !identityIds.includes(record.identityId)) identityIds.unshift(record.identityId);
  }
  return tokens.length === 0 && identityIds.length === 0 ? NO_HOLDERS : { tokens, identityIds };
}
