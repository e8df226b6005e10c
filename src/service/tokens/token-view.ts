/** The public shape of a token: what the API returns, the CLI prints and audit records. Never a secret. */
import { tokenState } from '../../core/token-state.js';
import type { TokenRecord } from '../../core/types.js';
import { toLimitViews, type RateLimitView } from '../limits/limit-view.js';
import { toCreditsView, type CreditsView } from '../limits/credit-view.js';

export type TokenStatus = 'active' | 'disabled' | 'revoked' | 'expired' | 'not_yet_valid';

export interface TokenView {
  id: string;
  kind: string;
  name: string;
  description: string | null;
  profileId: string | null;
  scopes: string[];
  deny: string[];
  templates: string[];
  hint: string;
  status: TokenStatus;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  validFrom: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  useCount: number;
  allowedIps: string[];
  createdBy: string | null;
  parentId: string | null;
  metadata: Record<string, unknown>;
  /** Usage control (docs/limits.md). */
  identityId: string | null;
  limits: RateLimitView[];
  credits: CreditsView | null;
  version: number;
}

/** A lifecycle state as the API spells it. */
export const statusOf = {
  VALID: 'active',
  REVOKED: 'revoked',
  EXPIRED: 'expired',
  NOT_YET_VALID: 'not_yet_valid',
  DISABLED: 'disabled',
} as const satisfies Record<ReturnType<typeof tokenState>, TokenStatus>;

export function toTokenView(token: TokenRecord, nowMs: number): TokenView {
  return {
    id: token.id,
    kind: token.kind,
    name: token.name,
    description: token.description,
    profileId: token.profileId,
    scopes: [...token.scopes],
    deny: [...token.deny],
    templates: [...token.templates],
    hint: token.hint,
    status: statusOf[tokenState(token, nowMs)],
    // Revocation is final: a revoked token is not shown as switched on (its stored flag says what it was).
    enabled: token.enabled && token.revokedAt === null,
    createdAt: token.createdAt,
    updatedAt: token.updatedAt,
    validFrom: token.validFrom,
    expiresAt: token.expiresAt,
    revokedAt: token.revokedAt,
    lastUsedAt: token.lastUsedAt,
    useCount: token.useCount,
    allowedIps: [...token.allowedIps],
    createdBy: token.createdBy,
    parentId: token.parentId,
    metadata: token.metadata,
    identityId: token.identityId,
    limits: toLimitViews(token.limits),
    credits: toCreditsView(token.credits, nowMs),
    version: token.version,
  };
}

/** What audit keeps of a token: its view without usage counters (which change without an action). */
export function auditSnapshot(token: TokenRecord, nowMs: number): Omit<TokenView, 'lastUsedAt' | 'useCount'> {
  const { lastUsedAt: _lastUsedAt, useCount: _useCount, ...rest } = toTokenView(token, nowMs);
  return rest;
}
