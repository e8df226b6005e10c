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
  TokenKind,
  TokenRecord,
  TokenSecretRecord,
} from '../core/types.js';
import type { IdentityOps } from './identity-store.js';
import type { WebhookOps } from './webhook-store.js';
import type { CreditOps } from './credit-store.js';
import type { RateLimitOps } from './rate-limit-store.js';

export type TokenStatusFilter = 'active' | 'inactive' | 'all';

export interface ListTokensQuery {
  accountId: AccountId;
  /**
   * `active`: enabled, not revoked, not expired at `now`.
   * `inactive`: disabled, revoked or expired at `now`. `all`: both.
   */
  status: TokenStatusFilter;
  now: Timestamp;
  /** Case-insensitive substring of the name, or the exact id. */
  search?: string;
  /** Only tokens of these kinds; all kinds when omitted. */
  kinds?: readonly TokenKind[];
  /** Only the tokens of this identity. */
  identityId?: string;
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

export type UsageKind = 'verify' | 'authorize';

/** One check of a known token: what was asked, the outcome code, from where. Never the presented secret. */
export interface UsageEventRecord {
  id: string;
  accountId: AccountId;
  tokenId: TokenId;
  at: Timestamp;
  kind: UsageKind;
  /** `METHOD /path` for an endpoint check, else the scopes asked for (space-separated), or null. */
  subject: string | null;
  /** A verify code (`VALID`, `REVOKED`, …). */
  outcome: string;
  clientIp: string | null;
  /** What refused a RATE_LIMITED or USAGE_EXCEEDED check: `token:<limit name>`, `identity:<limit name>` or `credits`; else null. */
  refusedBy: string | null;
  /**
   * How many identical checks (same token, kind, subject, outcome and client IP) in the same second as `at`
   * (the first of them) this event stands for: a token checked a thousand times a second is one row.
   */
  count: number;
}

/** Counts to add to one (token, minute, outcome, endpoint) roll-up row. */
export interface UsageMinuteDelta {
  accountId: AccountId;
  tokenId: TokenId;
  /** Start of the minute, `YYYY-MM-DDTHH:MM:00.000Z`. */
  minute: Timestamp;
  outcome: string;
  /** The catalog endpoint (`GET /devices/{id}`) for endpoint checks, else null. */
  endpoint: string | null;
  /** As on the event (UsageEventRecord.refusedBy). */
  refusedBy: string | null;
  count: number;
}

/** What one usage flush writes, in one transaction. */
export interface UsageBatch {
  counters: UsageDelta[];
  events: UsageEventRecord[];
  minutes: UsageMinuteDelta[];
}

export interface UsageFilter {
  accountId: AccountId;
  tokenId?: string;
  /** Exact endpoint (`GET /devices/{id}`); for raw events, the subject. */
  endpoint?: string;
  outcome?: string;
  /** What refused the checks (UsageEventRecord.refusedBy). */
  refusedBy?: string;
  /** Inclusive. */
  from?: Timestamp;
  /** Inclusive. */
  to?: Timestamp;
  limit: number;
  cursor?: string;
}

export type UsageBucketSize = 'minute' | 'hour' | 'day';

export interface UsageBucket {
  /** Start of the bucket. */
  bucket: Timestamp;
  tokenId: TokenId;
  endpoint: string | null;
  outcome: string;
  refusedBy: string | null;
  count: number;
}

/** Changed data other instances must drop from their caches; sent with the change (PostgreSQL NOTIFY). */
/**
 * A committed change that cached copies must follow: a token (with `secretHash` when a secret was added to it,
 * which may be remembered as unknown), an account's policy, or its catalog.
 */
export type StoreChange =
  | { accountId: AccountId; tokenId: TokenId; secretHash?: SecretHash }
  | { accountId: AccountId; kind: 'account' | 'catalog' }
  | { accountId: AccountId; kind: 'identity'; identityId: string };

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

/** A key that signs an account's issued JWTs. The private JWK is kept as text (see docs/decisions.md). */
export interface SigningKeyRecord {
  kid: string;
  accountId: AccountId;
  alg: 'EdDSA' | 'ES256';
  publicJwk: Record<string, unknown>;
  privateJwk: Record<string, unknown>;
  createdAt: Timestamp;
  /** When a newer key took over signing; `null` for the key that signs now. */
  retiredAt: Timestamp | null;
  /** After this the key verifies nothing (every token it signed has expired); `null`: no end yet. */
  notAfter: Timestamp | null;
}

/** How an integration endpoint is authenticated: `token` (primaries and secondaries), `internal` (primaries only), `none`. */
export type EndpointAuthMode = 'none' | 'token' | 'internal';

/** An account's settings for one integration endpoint, and the current primary token of each method. */
export interface EndpointSettingsRecord {
  accountId: AccountId;
  /** The endpoint's id in the catalog (`orders` of `endpoint:orders:POST`). */
  endpointId: string;
  mode: EndpointAuthMode;
  allowDelete: boolean;
  /** Method (`POST`, `GET`, `DELETE`) → id of its current primary token. */
  primaries: Record<string, TokenId>;
  updatedAt: Timestamp;
}

/** A secondary token mapped to one primary (endpoint + method). */
export interface EndpointAssignment {
  endpointId: string;
  method: string;
}

export interface ListSecondariesQuery {
  accountId: AccountId;
  status: TokenStatusFilter;
  now: Timestamp;
  /** With `assigned`: only secondaries assigned (`true`) or not assigned (`false`) to this endpoint. */
  endpointId?: string;
  assigned?: boolean;
  limit: number;
  cursor?: string;
}

/** Thrown by a store when a unique key is taken (an account's token id, a secret hash). */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}

/** Everything a unit of work can read and write. Implemented by the store itself and by its transactions. */
export interface StoreOps extends IdentityOps, WebhookOps, CreditOps, RateLimitOps {
  insertAccount(account: AccountRecord): Promise<void>;
  getAccount(id: AccountId): Promise<AccountRecord | undefined>;
  /** The oldest account, which bootstrap creates; `undefined` on an empty database. */
  getDefaultAccount(): Promise<AccountRecord | undefined>;
  updateAccountPolicy(id: AccountId, policy: AccountPolicy): Promise<void>;

  /**
   * Inserts the token and its first secret. Throws `StoreConflictError` if the id is taken in the account.
   * Its change names the secret's hash, which a cache may remember as unknown.
   */
  insertToken(token: TokenRecord, secret: TokenSecretRecord): Promise<void>;
  /**
   * Inserts many tokens, each with its first secret, all or none (in the caller's transaction if there is one):
   * a taken id or secret hash, in the store or twice in `items`, throws `StoreConflictError` and inserts nothing.
   * For imports and fixtures; sends no change notice (one per row would be a flood): a hash remembered as unknown
   * is forgotten when its negative entry ends (seconds).
   */
  insertTokens(items: ReadonlyArray<{ token: TokenRecord; secret: TokenSecretRecord }>): Promise<void>;
  /**
   * Inside a transaction on PostgreSQL the row is locked for update (the caller is about to check and write it).
   * `'key-share'`, for a token only read to bound another (an ancestor): held against edits and deletion of it, but
   * not against the usage counters another instance writes, which would otherwise deadlock with this transaction.
   */
  getToken(accountId: AccountId, id: TokenId, lock?: 'key-share'): Promise<TokenRecord | undefined>;
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
  /** Counters, raw events and roll-up additions of one flush, in one transaction; roll-ups add up across instances. */
  writeUsage(batch: UsageBatch): Promise<void>;
  /** Raw events, newest first. */
  listUsageEvents(query: UsageFilter): Promise<Page<UsageEventRecord>>;
  /** Roll-up counts summed per bucket, token, endpoint, outcome and refusing limit; oldest bucket first. */
  listUsageBuckets(query: UsageFilter & { bucket: UsageBucketSize }): Promise<Page<UsageBucket>>;
  /** The retention sweep: removes raw events before `before` (roll-ups stay). */
  deleteUsageEventsBefore(before: Timestamp): Promise<number>;

  getEndpointSettings(accountId: AccountId, endpointId: string): Promise<EndpointSettingsRecord | undefined>;
  listEndpointSettings(accountId: AccountId): Promise<EndpointSettingsRecord[]>;
  /** Inserts or replaces the endpoint's settings and primaries. */
  putEndpointSettings(settings: EndpointSettingsRecord): Promise<void>;
  /** A secondary's assignments, or (with `endpointId`) every assignment to that endpoint; ordered by endpoint, method, token. */
  listAssignments(query: { accountId: AccountId; tokenId?: TokenId; endpointId?: string }): Promise<(EndpointAssignment & { tokenId: TokenId })[]>;
  /** Replaces every assignment of the secondary token. */
  replaceAssignments(accountId: AccountId, tokenId: TokenId, assignments: EndpointAssignment[]): Promise<void>;
  /** Secondary tokens, newest first, with the same status filter and cursor as `listTokens`. */
  listSecondaries(query: ListSecondariesQuery): Promise<Page<TokenRecord>>;

  /** Throws `StoreConflictError` if the kid exists. */
  insertSigningKey(key: SigningKeyRecord): Promise<void>;
  getSigningKey(kid: string): Promise<SigningKeyRecord | undefined>;
  /**
   * Keys still verifying at `now` (`notAfter` unset or later), newest first; one account's, or every account's
   * when `accountId` is omitted (the JWKS).
   */
  listSigningKeys(query: { accountId?: AccountId; now: Timestamp }): Promise<SigningKeyRecord[]>;
  /** Retires the account's signing keys that are not retired yet; returns their kids. */
  retireSigningKeys(accountId: AccountId, retiredAt: Timestamp, notAfter: Timestamp): Promise<string[]>;
}

export interface Store extends StoreOps {
  readonly kind: 'sqlite' | 'postgres';
  /** Brings the schema to the latest version. Safe to run at every start. */
  migrate(): Promise<void>;
  /**
   * Runs `fn` in one transaction: all of its writes land, or none. On PostgreSQL a transaction the server aborted
   * (a deadlock) is run again, `fn` included: `fn` acts only through `tx`.
   */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Hears every change this store commits, right after the commit (never for a rolled-back one): the one
   * source of cache invalidation in this process. Other instances hear the same changes through the change feed.
   * Returns the way to stop listening.
   */
  onChange(listener: (change: StoreChange) => void): () => void;
}
