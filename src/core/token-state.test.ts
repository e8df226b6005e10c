import { describe, expect, it } from 'vitest';
import { type TokenState, tokenState } from './token-state.js';

const NOW = '2025-06-01T12:00:00.000Z';
const nowMs = Date.parse(NOW);
const BEFORE = '2025-06-01T11:59:59.999Z';
const AFTER = '2025-06-01T12:00:00.001Z';

type Fields = Parameters<typeof tokenState>[0];
const base: Fields = { enabled: true, revokedAt: null, validFrom: null, expiresAt: null };

describe('tokenState', () => {
  it.each<[string, Partial<Fields>, TokenState]>([
    ['no limits', {}, 'VALID'],
    ['inside its window', { validFrom: BEFORE, expiresAt: AFTER }, 'VALID'],
    ['validFrom exactly now', { validFrom: NOW }, 'VALID'],
    ['expires one ms from now', { expiresAt: AFTER }, 'VALID'],
    ['expiresAt exactly now', { expiresAt: NOW }, 'EXPIRED'],
    ['expired', { expiresAt: BEFORE }, 'EXPIRED'],
    ['starts one ms from now', { validFrom: AFTER }, 'NOT_YET_VALID'],
    ['disabled', { enabled: false }, 'DISABLED'],
    ['revoked', { revokedAt: BEFORE }, 'REVOKED'],
    // Precedence: REVOKED > EXPIRED > NOT_YET_VALID > DISABLED.
    [
      'revoked, expired, not yet valid and disabled',
      { revokedAt: BEFORE, expiresAt: BEFORE, validFrom: AFTER, enabled: false },
      'REVOKED',
    ],
    ['expired, not yet valid and disabled', { expiresAt: BEFORE, validFrom: AFTER, enabled: false }, 'EXPIRED'],
    ['not yet valid and disabled', { validFrom: AFTER, enabled: false }, 'NOT_YET_VALID'],
    ['expired and disabled', { expiresAt: BEFORE, enabled: false }, 'EXPIRED'],
    // Unreadable timestamps fail closed.
    ['unparseable expiresAt', { expiresAt: 'soon' }, 'EXPIRED'],
    ['unparseable validFrom', { validFrom: 'yesterday-ish' }, 'NOT_YET_VALID'],
    ['offset timestamps', { validFrom: '2025-06-01T13:59:00+02:00', expiresAt: '2025-06-01T14:01:00+02:00' }, 'VALID'],
  ])('%s → %s', (_label, fields, expected) => {
    expect(tokenState({ ...base, ...fields }, nowMs)).toBe(expected);
  });
});
