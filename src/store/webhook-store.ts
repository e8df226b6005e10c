/** The store's part of webhooks (issue 20): endpoints, the event outbox, deliveries and their leases. */
import type { AccountId, AccountRecord, Timestamp, TokenId, TokenRecord } from '../core/types.js';
import type { WebhookDeliveryRecord, WebhookEndpointRecord, WebhookEventDraft } from '../core/webhooks.js';
import type { Page } from './store.js';

/** What the sender needs to make one attempt: the delivery at the head of its endpoint's queue and the body. */
export interface WebhookAttempt {
  delivery: WebhookDeliveryRecord;
  payload: string;
}

export interface WebhookAttemptResult {
  endpointId: string;
  seq: number;
  status: 'delivered' | 'pending' | 'failed';
  at: Timestamp;
  statusCode: number | null;
  error: string | null;
  /** With `pending`: when to try again. */
  nextAttemptAt: Timestamp | null;
}

/**
 * Tokens a scheduled event is due for and has not been marked for yet (`claimWebhookMark`), any account unless
 * `accountId` is given; never revoked ones. `expiring`/`expired`: `expiresAt` in (`from`, `until`], marked by
 * `expiresAt`. `unused`: enabled tokens last used (or, never used, created) at or before `until`, marked by that time.
 * `idle`: the same tokens as `unused`, without any mark (the dormant sweep disables them, which takes them out).
 * With `liveAt`, `unused` and `idle` leave out tokens expired by then (they can no longer be used anyway).
 */
export interface ScheduledTokensQuery {
  kind: 'expiring' | 'expired' | 'unused' | 'idle';
  accountId?: AccountId;
  from?: Timestamp;
  until: Timestamp;
  liveAt?: Timestamp;
  limit: number;
}

export interface WebhookOps {
  /** Every account (the scheduler reads each one's dormant-token policy). */
  listAccounts(): Promise<AccountRecord[]>;
  listScheduledTokens(query: ScheduledTokensQuery): Promise<TokenRecord[]>;

  insertWebhookEndpoint(endpoint: WebhookEndpointRecord): Promise<void>;
  getWebhookEndpoint(accountId: AccountId, id: string): Promise<WebhookEndpointRecord | undefined>;
  /** Newest first, with the same cursor as token lists. */
  listWebhookEndpoints(query: { accountId: AccountId; limit: number; cursor?: string }): Promise<Page<WebhookEndpointRecord>>;
  /** Replaces url, description, event types, enabled, secrets and `updatedAt`; false when it does not exist. */
  updateWebhookEndpoint(endpoint: WebhookEndpointRecord): Promise<boolean>;
  /** Deletes the endpoint and its delivery log; false when it did not exist. */
  deleteWebhookEndpoint(accountId: AccountId, id: string): Promise<boolean>;

  /**
   * Appends the event to its account's outbox (the next `seq`, under the audit chain's lock) and queues a pending
   * delivery of it to every enabled endpoint of the account subscribed to its type. Meant to run in the
   * transaction of the change the event tells, so that both land or neither. Returns the event's `seq`.
   */
  appendWebhookEvent(event: WebhookEventDraft): Promise<number>;
  /**
   * Records that a scheduled event (`kind`, e.g. `expiring`) fired for the token at `mark` (e.g. its expiry):
   * true for the one caller that recorded it first, false for every other, on any instance.
   */
  claimWebhookMark(mark: { accountId: AccountId; tokenId: TokenId; kind: string; mark: string }): Promise<boolean>;

  /** The endpoint's delivery log, newest event first; cursor is opaque. */
  listWebhookDeliveries(query: { accountId: AccountId; endpointId: string; limit: number; cursor?: string }): Promise<Page<WebhookDeliveryRecord>>;
  /** Makes the delivery pending again, due at `now`, with a new retry period; false when it does not exist. */
  redeliverWebhook(accountId: AccountId, endpointId: string, eventId: string, now: Timestamp): Promise<boolean>;

  /**
   * Takes the lease of up to `limit` endpoints that have a pending delivery and whose lease is free or past
   * (`lease_until` < `now`), each with one conditional update: an endpoint is leased by one owner at a time.
   * Returns the endpoints this owner now holds until `until`.
   */
  leaseWebhookEndpoints(query: { owner: string; now: Timestamp; until: Timestamp; limit: number }): Promise<WebhookEndpointRecord[]>;
  /**
   * Moves the lease of an endpoint this owner holds: to `until` (kept while it sends, or held as a back-off until
   * the next attempt is due) or `null` (released). False when the owner no longer holds it.
   */
  moveWebhookLease(endpointId: string, owner: string, until: Timestamp | null): Promise<boolean>;
  /** The pending delivery of lowest `seq` of the endpoint, with its body; `undefined` when none is pending. */
  nextWebhookDelivery(endpointId: string): Promise<WebhookAttempt | undefined>;
  /** Records one attempt's outcome on a pending delivery. */
  recordWebhookAttempt(result: WebhookAttemptResult): Promise<void>;
  /**
   * The retention sweep: removes delivered and failed deliveries created before `before`, then events before it that
   * no delivery refers to any more. Pending deliveries and their events stay, whatever their age.
   */
  deleteWebhookHistoryBefore(before: Timestamp): Promise<number>;
}
