/**
 * Row types of the tables, as Kysely sees them. Portable on purpose: the PostgreSQL schema mirrors these
 * tables column for column, so times are ISO strings (`toISOString()`, which sort as text), JSON is text,
 * booleans are 0/1 integers and ids are text.
 */

export interface AccountsTable {
  id: string;
  name: string;
  token_prefix: string;
  /** JSON of `AccountPolicy`. */
  policy: string;
  created_at: string;
}

export interface TokensTable {
  account_id: string;
  id: string;
  kind: string;
  name: string;
  /** `name.toLowerCase()`, so search is one portable `LIKE` without per-database collations. */
  name_lower: string;
  description: string | null;
  profile_id: string | null;
  /** JSON arrays. */
  scopes: string;
  deny: string;
  templates: string;
  hint: string;
  created_at: string;
  updated_at: string;
  valid_from: string | null;
  expires_at: string | null;
  /** JSON array. */
  allowed_ips: string;
  /** 0 or 1. */
  enabled: number;
  revoked_at: string | null;
  last_used_at: string | null;
  use_count: number;
  created_by: string | null;
  parent_id: string | null;
  /** JSON object. */
  metadata: string;
  /** Since 0008: the token's identity, and its rate limits as a JSON array. */
  identity_id: string | null;
  limits: string;
  /**
   * Since 0010: credits (issue 19). `credits` is the rule as JSON (`{refill, strict}`), NULL for none; the balance
   * columns are written by their own operations (a set, an add, the background flush of consumption), never by a
   * record's update, so a record read before a flush cannot roll the balance back.
   */
  credits: string | null;
  credits_remaining: number | string | null;
  credits_refilled_at: number | string | null;
  version: number;
  instance: string;
}

export interface TokenSecretsTable {
  hash: string;
  account_id: string;
  token_id: string;
  created_at: string;
  expires_at: string | null;
}

export interface AuditEventsTable {
  account_id: string;
  seq: number;
  id: string;
  actor: string | null;
  action: string;
  target_type: string;
  target_id: string;
  /** JSON, or NULL for an absent value. */
  before: string | null;
  after: string | null;
  at: string;
  prev_hash: string;
  hash: string;
}

/** The last (seq, hash) of each account's chain, written with every append; detects truncation of the chain. */
export interface AuditHeadsTable {
  account_id: string;
  seq: number;
  hash: string;
}

/** Raw usage events: one per check (verify, authorize) of a known token, kept for the retention window. */
export interface UsageEventsTable {
  id: string;
  account_id: string;
  token_id: string | null;
  at: string;
  kind: string;
  subject: string | null;
  outcome: string;
  client_ip: string | null;
  /** Identical checks coalesced into this event (see UsageEventRecord.count). */
  count: number;
  /** What refused the check (`token:<name>`, `identity:<name>`, `credits`), `''` for none. */
  refused_by: string;
}

/** Usage rolled up per token, minute (`…T12:34:00.000Z`), outcome, endpoint and refusing limit (`''` for none). */
export interface UsageMinutesTable {
  account_id: string;
  token_id: string;
  minute: string;
  outcome: string;
  endpoint: string;
  refused_by: string;
  count: number;
}

export interface CatalogVersionsTable {
  account_id: string;
  version: number;
  name: string;
  /** `yaml` or `json`. */
  format: string;
  source: string;
  created_at: string;
  created_by: string | null;
}

/** Keys that sign issued JWTs; JWKs as JSON text. */
export interface SigningKeysTable {
  kid: string;
  account_id: string;
  alg: string;
  public_jwk: string;
  private_jwk: string;
  created_at: string;
  /** Set when a newer key takes over signing; the key still verifies until `not_after`. */
  retired_at: string | null;
  not_after: string | null;
}

/** Integration platform: an account's settings for one integration endpoint. */
export interface EndpointSettingsTable {
  account_id: string;
  endpoint_id: string;
  /** `none`, `token` or `internal`. */
  mode: string;
  /** 0 or 1. */
  allow_delete: number;
  /** JSON object: method → primary token id. */
  primaries: string;
  updated_at: string;
}

/** A secondary endpoint token assigned to one primary (endpoint + method). */
export interface EndpointAssignmentsTable {
  account_id: string;
  token_id: string;
  endpoint_id: string;
  method: string;
}

/** Since 0008: identities (issue 19); `external_id` unique per account. */
export interface IdentitiesTable {
  account_id: string;
  id: string;
  external_id: string;
  name: string | null;
  /** JSON object. */
  metadata: string;
  /** JSON array of rate limits shared by the identity's tokens. */
  limits: string;
  /**
   * Since 0010: credits (issue 19). `credits` is the rule as JSON (`{refill, strict}`), NULL for none; the balance
   * columns are written by their own operations (a set, an add, the background flush of consumption), never by a
   * record's update, so a record read before a flush cannot roll the balance back.
   */
  credits: string | null;
  credits_remaining: number | string | null;
  credits_refilled_at: number | string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

/** Since 0009: webhook endpoints (issue 20); `secrets` is a JSON array of `{secret, expiresAt}`, newest first. */
export interface WebhookEndpointsTable {
  id: string;
  account_id: string;
  url: string;
  description: string | null;
  /** JSON array. */
  event_types: string;
  enabled: number;
  secrets: string;
  created_at: string;
  updated_at: string;
  lease_owner: string | null;
  lease_until: string | null;
}

/** Since 0009: the outbox; `seq` per account, under the audit chain's lock. */
export interface WebhookEventsTable {
  account_id: string;
  seq: number;
  id: string;
  type: string;
  payload: string;
  created_at: string;
}

export interface WebhookDeliveriesTable {
  endpoint_id: string;
  seq: number;
  account_id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  retry_from: string;
  created_at: string;
}

export interface WebhookMarksTable {
  account_id: string;
  token_id: string;
  kind: string;
  mark: string;
}

/** Since 0010: instances sharing the database, each with the last time it was seen (epoch ms). */
export interface InstancesTable {
  id: string;
  seen_at: number | string;
}

/** Since 0011: each rate-limit window's count, summed over instances (epoch ms; bigint read back as a string on PostgreSQL). */
export interface RateLimitWindowsTable {
  account_id: string;
  holder: string;
  holder_id: string;
  name: string;
  duration_ms: number | string;
  window_start: number | string;
  count: number | string;
  expires_at: number | string;
}

export interface Database {
  accounts: AccountsTable;
  tokens: TokensTable;
  token_secrets: TokenSecretsTable;
  audit_events: AuditEventsTable;
  audit_heads: AuditHeadsTable;
  usage_events: UsageEventsTable;
  catalog_versions: CatalogVersionsTable;
  signing_keys: SigningKeysTable;
  usage_minutes: UsageMinutesTable;
  endpoint_settings: EndpointSettingsTable;
  endpoint_assignments: EndpointAssignmentsTable;
  identities: IdentitiesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_marks: WebhookMarksTable;
  instances: InstancesTable;
  rate_limit_windows: RateLimitWindowsTable;
}
