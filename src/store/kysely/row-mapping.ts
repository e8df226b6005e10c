/** Conversions between table rows and domain records: JSON as text, booleans as 0/1, ids branded on the way out. */
import type {
  AccountId,
  AccountPolicy,
  AccountRecord,
  AuditAction,
  AuditEvent,
  AuditEventId,
  Scope,
  SecretHash,
  TokenId,
  TokenKind,
  TokenRecord,
  TokenSecretRecord,
} from '../../core/types.js';
import { defaultAccountPolicy } from '../../core/types.js';
import type { RateLimitRule } from '../../core/usage-limits.js';
import { columnsToCredits, creditsToColumns, type CreditColumns } from './credit-ops.js';
import type { AccountsTable, AuditEventsTable, TokenSecretsTable, TokensTable } from './schema.js';

export function accountToRow(account: AccountRecord): AccountsTable {
  return {
    id: account.id,
    name: account.name,
    token_prefix: account.tokenPrefix,
    policy: JSON.stringify(account.policy),
    created_at: account.createdAt,
  };
}

export function rowToAccount(row: AccountsTable): AccountRecord {
  return {
    id: row.id as AccountId,
    name: row.name,
    tokenPrefix: row.token_prefix,
    // Policies stored before a field existed take its default.
    policy: { ...defaultAccountPolicy, ...(JSON.parse(row.policy) as Partial<AccountPolicy>) },
    createdAt: row.created_at,
  };
}

export function tokenToRow(token: TokenRecord): TokensTable {
  return {
    account_id: token.accountId,
    id: token.id,
    last_used_at: token.lastUsedAt,
    use_count: token.useCount,
    instance: token.instance,
    ...tokenUpdateColumns(token),
    ...creditsToColumns(token.credits),
  };
}

/**
 * What `updateToken` writes: every column but the key and the usage counters. The counters belong to
 * `applyUsage`, which runs off the request path; writing back a record read before a usage flush would
 * otherwise roll the counts back.
 */
export function tokenUpdateColumns(
  token: TokenRecord,
): Omit<TokensTable, 'account_id' | 'id' | 'last_used_at' | 'use_count' | 'instance' | keyof CreditColumns> {
  return {
    kind: token.kind,
    name: token.name,
    name_lower: token.name.toLowerCase(),
    description: token.description,
    profile_id: token.profileId,
    scopes: JSON.stringify(token.scopes),
    deny: JSON.stringify(token.deny),
    templates: JSON.stringify(token.templates),
    hint: token.hint,
    created_at: token.createdAt,
    updated_at: token.updatedAt,
    valid_from: token.validFrom,
    expires_at: token.expiresAt,
    allowed_ips: JSON.stringify(token.allowedIps),
    enabled: token.enabled ? 1 : 0,
    revoked_at: token.revokedAt,
    created_by: token.createdBy,
    parent_id: token.parentId,
    metadata: JSON.stringify(token.metadata),
    identity_id: token.identityId,
    limits: JSON.stringify(token.limits),
    version: token.version,
  };
}

export function rowToToken(row: TokensTable): TokenRecord {
  return {
    id: row.id as TokenId,
    accountId: row.account_id as AccountId,
    kind: row.kind as TokenKind,
    name: row.name,
    description: row.description,
    profileId: row.profile_id,
    scopes: JSON.parse(row.scopes) as Scope[],
    deny: JSON.parse(row.deny) as Scope[],
    templates: JSON.parse(row.templates) as string[],
    hint: row.hint,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    validFrom: row.valid_from,
    expiresAt: row.expires_at,
    allowedIps: JSON.parse(row.allowed_ips) as string[],
    enabled: Number(row.enabled) === 1,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    // Number(): a 64-bit column may come back as a string or bigint from other drivers.
    useCount: Number(row.use_count),
    createdBy: row.created_by as TokenId | null,
    parentId: row.parent_id as TokenId | null,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    identityId: row.identity_id,
    limits: JSON.parse(row.limits) as RateLimitRule[],
    credits: columnsToCredits(row),
    version: Number(row.version),
    instance: row.instance,
  };
}

export function secretToRow(secret: TokenSecretRecord): TokenSecretsTable {
  return {
    hash: secret.hash,
    account_id: secret.accountId,
    token_id: secret.tokenId,
    created_at: secret.createdAt,
    expires_at: secret.expiresAt,
  };
}

export function rowToSecret(row: TokenSecretsTable): TokenSecretRecord {
  return {
    hash: row.hash as SecretHash,
    tokenId: row.token_id as TokenId,
    accountId: row.account_id as AccountId,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/** `null` and `undefined` are stored as SQL NULL and read back as `null`. */
export function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function auditEventToRow(event: AuditEvent): AuditEventsTable {
  return {
    account_id: event.accountId,
    seq: event.seq,
    id: event.id,
    actor: event.actor,
    action: event.action,
    target_type: event.targetType,
    target_id: event.targetId,
    before: jsonOrNull(event.before),
    after: jsonOrNull(event.after),
    at: event.at,
    prev_hash: event.prevHash,
    hash: event.hash,
  };
}

export function rowToAuditEvent(row: AuditEventsTable): AuditEvent {
  return {
    id: row.id as AuditEventId,
    accountId: row.account_id as AccountId,
    seq: Number(row.seq),
    prevHash: row.prev_hash,
    hash: row.hash,
    actor: row.actor as TokenId | null,
    action: row.action as AuditAction,
    targetType: row.target_type as AuditEvent['targetType'],
    targetId: row.target_id,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
    at: row.at,
  };
}
