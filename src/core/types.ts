/** Core domain types shared by every layer: branded ids, token and account records, audit events. */

import type { RateLimitRule } from './usage-limits.js';
import type { CreditsRecord } from './credits.js';

declare const brand: unique symbol;
/** A nominal type: a `T` that the type checker will not confuse with another `T`. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type AccountId = Brand<string, 'AccountId'>;
export type TokenId = Brand<string, 'TokenId'>;
export type AuditEventId = Brand<string, 'AuditEventId'>;
/** A permission string such as `tokens:create` or `device:*:ReadBucket`. */
export type Scope = Brand<string, 'Scope'>;
/** Lowercase hex SHA-256 of a presented secret. The only form in which secrets are stored. */
export type SecretHash = Brand<string, 'SecretHash'>;
/** RFC 3339 timestamp in UTC with milliseconds, as produced by `Date#toISOString()`. */
export type Timestamp = string;

export type PresentationScheme = 'bearer' | 'x-api-key' | 'app' | 'query';

export interface AccountPolicy {
  /** Whether scopes and deny rules of an existing token may be edited (the IoT platform's way) or are fixed (the communications platform's). */
  permissionsEditable: boolean;
  /** Longest lifetime a token may be given, in seconds; `null` means unlimited. */
  maxLifetimeSeconds: number | null;
  /** `Authorization: App <token>` accepted. Bearer and X-API-Key are always on. */
  allowAppScheme: boolean;
  /** `?access_token=` accepted. Off by default: query strings end up in access logs. */
  allowQueryToken: boolean;
  /** The verify endpoint also requires the caller to hold `tokens:verify`. */
  verifyRequiresPermission: boolean;
  /** What a leak report (`POST /v1/leaks`) does to a live token it names: `disable` (reversible) or `revoke` (final). */
  leakResponse: LeakResponse;
  /**
   * Tokens unused (never checked since created, or since their last check) for `disableAfterDays` are disabled by the
   * scheduler, after a `token.unused` webhook event `warnBeforeDays` earlier; `null`: off (docs/webhooks.md).
   */
  dormantTokens: DormantTokensPolicy | null;
}

export interface DormantTokensPolicy {
  disableAfterDays: number;
  warnBeforeDays: number;
}

export type LeakResponse = 'disable' | 'revoke';

export const defaultAccountPolicy = {
  permissionsEditable: false,
  maxLifetimeSeconds: null,
  allowAppScheme: false,
  allowQueryToken: false,
  verifyRequiresPermission: false,
  leakResponse: 'disable',
  dormantTokens: null,
} as const satisfies AccountPolicy;

export interface AccountRecord {
  id: AccountId;
  name: string;
  /** Prefix of every secret issued in this account, e.g. `tsr`. */
  tokenPrefix: string;
  policy: AccountPolicy;
  createdAt: Timestamp;
}

/**
 * `standard`: made through the token API. `primary`: generated for one method of a token-authenticated endpoint
 * (integration platform), system-managed. `secondary`: an endpoint token whose scopes are those of the primaries it is assigned to.
 */
export type TokenKind = 'standard' | 'primary' | 'secondary';

export interface TokenRecord {
  id: TokenId;
  accountId: AccountId;
  kind: TokenKind;
  name: string;
  description: string | null;
  profileId: string | null;
  scopes: Scope[];
  deny: Scope[];
  templates: string[];
  /** Non-secret display form of the current secret, e.g. `tsr_AbCd…wXyZ`. */
  hint: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  validFrom: Timestamp | null;
  expiresAt: Timestamp | null;
  /** IPv4/IPv6 addresses or CIDR ranges; empty means any address. */
  allowedIps: string[];
  enabled: boolean;
  revokedAt: Timestamp | null;
  lastUsedAt: Timestamp | null;
  useCount: number;
  /** Token id of the creator, or `null` for tokens made by bootstrap or the CLI on the database. */
  createdBy: TokenId | null;
  /** The token this one was created or issued by; revocation cascades from parent to children. */
  parentId: TokenId | null;
  metadata: Record<string, unknown>;
  /** The identity (`idn_…`) the token belongs to, in the same account; `null` for none (issue 19). */
  identityId: string | null;
  /** Named rate limits of the token itself, decided in memory at every check (docs/limits.md). */
  limits: RateLimitRule[];
  /** Credits a recorded check spends (docs/limits.md); `null` for none. */
  credits: CreditsRecord | null;
  /** Increases by one on every change; used for optimistic concurrency. */
  version: number;
  /**
   * Random, fixed at creation, never shown: tells this record apart from any other that had or will have the same
   * id. Issued JWTs carry it, so deleting a token and re-creating its id never revives them (SPEC rule 3).
   */
  instance: string;
}

/** One secret that opens a token. A token has one current secret and, during a rotation overlap, the previous one. */
export interface TokenSecretRecord {
  hash: SecretHash;
  tokenId: TokenId;
  accountId: AccountId;
  createdAt: Timestamp;
  /** `null` for the current secret; set on a rotated-out secret to the end of its overlap. */
  expiresAt: Timestamp | null;
}

/** Every action the audit log records; the API and CLI accept exactly these as filters. */
export const auditActions = [
  'account.create',
  'account.update',
  'token.create',
  'token.update',
  'token.enable',
  'token.disable',
  'token.revoke',
  'token.rotate',
  'token.delete',
  'catalog.apply',
  'key.rotate',
  'endpoint.auth',
  'endpoint.assign',
  'identity.create',
  'identity.update',
  'identity.delete',
  'webhook.create',
  'webhook.update',
  'webhook.delete',
  'webhook.rotate',
  'token.credits',
  'identity.credits',
] as const;

export type AuditAction = (typeof auditActions)[number];

export interface AuditDraft {
  accountId: AccountId;
  /** Token id of whoever acted; `null` for the CLI acting on the database directly or bootstrap. */
  actor: TokenId | null;
  action: AuditAction;
  targetType: 'token' | 'account' | 'catalog' | 'key' | 'endpoint' | 'identity' | 'webhook';
  targetId: string;
  before: unknown;
  after: unknown;
  at: Timestamp;
}

export interface AuditEvent extends AuditDraft {
  id: AuditEventId;
  /** Position in the account's chain, from 1. */
  seq: number;
  /** Hash of the previous event in the account's chain (64 zeros for the first). */
  prevHash: string;
  /** Hash over this event's content and `prevHash`. */
  hash: string;
}

export type VerifyCode =
  | 'VALID'
  | 'NOT_FOUND'
  | 'NOT_YET_VALID'
  | 'EXPIRED'
  | 'REVOKED'
  | 'DISABLED'
  | 'IP_NOT_ALLOWED'
  | 'INSUFFICIENT_SCOPE'
  | 'RATE_LIMITED'
  | 'USAGE_EXCEEDED';
