/** The persistence boundary: one small interface, one implementation per database under `store/<db>/`. */
import type {
  AccountId,
  AccountPolicy,
  AccountRecord,
  AuditDraft,
  AuditEvent,
  AuditAction,
  SecretHash,
  Timestamp,
  TokenId,
  TokenRecord,
  TokenSecretRecord,
} from '../core/types.js';

export type TokenStatusFilter = 'active' | 'inactive' | 'all';

export interface ListTokensQuery {
  accountId: AccountId;
  /**
   * `active`: enabled, not revoked, not expired at `now`.
   * `inactive`: disabled, revoked or expired at `now`. `all`: both.
   */
  status: TokenStatusFilter;
  now: Timestamp;
  /** Case-insensitive substring of the name. */
  search?: string;
  limit: number;
  /** Opaque value from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListAuditQuery {
  accountId: AccountId;
  /** Events whose actor or target is this token. */
  tokenId?: string;
  action?: AuditAction;
  /** Inclusive. */
  from?: Timestamp;
  /** Inclusive. */
  to?: Timestamp;
  limit: number;
  cursor?: string;
}

/** Usage accumulated off the request path and written in one batch. */
export interface UsageDelta {
  tokenId: TokenId;
  accountId: AccountId;
  count: number;
  lastUsedAt: Timestamp;
}

/** One applied version of an account's catalog; the source text is kept as the operator wrote it. */
export interface CatalogVersionRecord {
  accountId: AccountId;
  /** 1, 2, 3… per account. */
  version: number;
  name: string;
  format: 'yaml' | 'json';
  source: string;
  createdAt: Timestamp;
  createdBy: TokenId | null;
}

export interface ListCatalogVersionsQuery {
  accountId: AccountId;
  limit: number;
  cursor?: string;
}

/** Thrown by a store when a unique key is taken (an account's token id, a secret hash). */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}

/** Everything a unit of work can read and write. Implemented by the store itself and by its transactions. */
export interface StoreOps {
  insertAccount(account: AccountRecord): Promise<void>;
  getAccount(id: AccountId): Promise<AccountRecord | undefined>;
  /** The oldest account, which bootstrap creates; `undefined` on an empty database. */
  getDefaultAccount(): Promise<AccountRecord | undefined>;
  updateAccountPolicy(id: AccountId, policy: AccountPolicy): Promise<void>;

  /** Inserts the token and its first secret. Throws `StoreConflictError` if the id is taken in the account. */
  insertToken(token: TokenRecord, secret: TokenSecretRecord): Promise<void>;
  getToken(accountId: AccountId, id: TokenId): Promise<TokenRecord | undefined>;
  /**
   * Replaces every field of an existing token (matched by account and id) except the usage counters
   * (`useCount`, `lastUsedAt`), which only `applyUsage` writes, so that writing back a token read before a
   * usage batch cannot undo its counts. Returns false if it does not exist.
   */
  updateToken(token: TokenRecord): Promise<boolean>;
  /** Deletes tokens and their secrets; returns the ids that existed and were deleted. */
  deleteTokens(accountId: AccountId, ids: TokenId[]): Promise<TokenId[]>;
  listTokens(query: ListTokensQuery): Promise<Page<TokenRecord>>;
  /** Every token whose `parentId` chain leads to `id` (children, grandchildren, …), not `id` itself. */
  listDescendants(accountId: AccountId, id: TokenId): Promise<TokenRecord[]>;
  countTokens(accountId: AccountId): Promise<number>;

  /** The secret with this hash and the token it opens, or `undefined`. Does not filter on expiry. */
  findSecret(hash: SecretHash): Promise<{ secret: TokenSecretRecord; token: TokenRecord } | undefined>;
  insertSecret(secret: TokenSecretRecord): Promise<void>;
  /** Sets the expiry of every secret of the token that has none yet (the current one, at rotation). */
  expireSecrets(accountId: AccountId, tokenId: TokenId, expiresAt: Timestamp): Promise<void>;
  /** Removes secrets whose overlap has ended. */
  deleteExpiredSecrets(now: Timestamp): Promise<number>;
  /** Every secret hash of the token, current and rotated-out (for cache invalidation). */
  listSecretHashes(accountId: AccountId, tokenId: TokenId): Promise<SecretHash[]>;

  /** Appends to the account's hash chain; computes `seq`, `prevHash` and `hash` inside the transaction. */
  appendAudit(draft: AuditDraft): Promise<AuditEvent>;
  listAudit(query: ListAuditQuery): Promise<Page<AuditEvent>>;
  /**
   * The whole chain of an account, in order, for `audit verify`, with the head recorded by the last append
   * (kept apart from the events so that deleting the newest events is detected too).
   */
  readAuditChain(accountId: AccountId): Promise<{ events: AuditEvent[]; head: { seq: number; hash: string } | null }>;

  /** Throws `StoreConflictError` when the account already has this version number. */
  insertCatalogVersion(version: CatalogVersionRecord): Promise<void>;
  /** The given version, or the latest when `version` is omitted; `undefined` if none. */
  getCatalogVersion(accountId: AccountId, version?: number): Promise<CatalogVersionRecord | undefined>;
  /** Newest first, without the source text. */
  listCatalogVersions(query: ListCatalogVersionsQuery): Promise<Page<Omit<CatalogVersionRecord, 'source'>>>;

  /** Adds counts and moves `lastUsedAt` forward (never backward). One statement per token, one transaction. */
  applyUsage(deltas: UsageDelta[]): Promise<void>;
}

export interface Store extends StoreOps {
  readonly kind: 'sqlite' | 'postgres';
  /** Brings the schema to the latest version. Safe to run at every start. */
  migrate(): Promise<void>;
  /** Runs `fn` in one transaction: all of its writes land, or none. */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
