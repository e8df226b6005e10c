/** A token's lifecycle state at one instant, from its stored fields and the caller's clock. */
import type { TokenRecord } from './types.js';

export type TokenState = 'VALID' | 'REVOKED' | 'EXPIRED' | 'NOT_YET_VALID' | 'DISABLED';

/**
 * Precedence: REVOKED, then EXPIRED (expiresAt <= now), then NOT_YET_VALID (validFrom > now), then DISABLED.
 * nowMs is epoch ms. Final states come first so a caller is never told to wait for, or re-enable, a token that
 * can never work again.
 *
 * A timestamp that does not parse fails closed: an unreadable `expiresAt` counts as expired and an unreadable
 * `validFrom` as not yet valid, because `NaN` comparisons are always false and would otherwise mean "no limit".
 */
export function tokenState(
  token: Pick<TokenRecord, 'enabled' | 'revokedAt' | 'validFrom' | 'expiresAt'>,
  nowMs: number,
): TokenState {
  const expiresAtMs = token.expiresAt === null ? null : Date.parse(token.expiresAt);
  const validFromMs = token.validFrom === null ? null : Date.parse(token.validFrom);
  return tokenStateAt(token, expiresAtMs, validFromMs, nowMs);
}

/** {@link tokenState} with the two timestamps already parsed to epoch ms (`NaN` for one that did not parse). */
export function tokenStateAt(
  token: Pick<TokenRecord, 'enabled' | 'revokedAt'>,
  expiresAtMs: number | null,
  validFromMs: number | null,
  nowMs: number,
): TokenState {
  if (token.revokedAt !== null) return 'REVOKED';
  if (expiresAtMs !== null && !(expiresAtMs > nowMs)) return 'EXPIRED';
  if (validFromMs !== null && !(validFromMs <= nowMs)) return 'NOT_YET_VALID';
  if (!token.enabled) return 'DISABLED';
  return 'VALID';
}
