/** Webhook endpoints, lifecycle events and their deliveries (issue 20): the types every layer shares. */
import type { AccountId, Timestamp } from './types.js';

/** Every event type an endpoint may subscribe to; `*` subscribes to all of them. */
export const webhookEventTypes = [
  'token.created',
  'token.updated',
  'token.enabled',
  'token.disabled',
  'token.rotated',
  'token.revoked',
  'token.deleted',
  'token.expiring',
  'token.expired',
  'token.unused',
  'token.leaked',
  'token.rate_limited',
  'token.credits_exhausted',
  'catalog.applied',
] as const;

export type WebhookEventType = (typeof webhookEventTypes)[number];

/** A signing secret of an endpoint (`whsec_…`); a rotated-out one signs too until `expiresAt`. */
export interface WebhookSecret {
  secret: string;
  expiresAt: Timestamp | null;
}

export interface WebhookEndpointRecord {
  accountId: AccountId;
  /** `whk_…`. */
  id: string;
  url: string;
  description: string | null;
  /** Event types, or `['*']` for every type. */
  eventTypes: string[];
  enabled: boolean;
  /** Kept in clear: the server signs with them (docs/security.md). Newest first. */
  secrets: WebhookSecret[];
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** One event as written to the outbox, in the transaction of the change it tells. */
export interface WebhookEventDraft {
  accountId: AccountId;
  /** `msg_…`: the `webhook-id` of every delivery of it. */
  id: string;
  type: WebhookEventType;
  /** The JSON body sent, `{type, timestamp, data}`; never a secret. */
  payload: string;
  at: Timestamp;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event to one endpoint: its state in the endpoint's delivery log. */
export interface WebhookDeliveryRecord {
  accountId: AccountId;
  endpointId: string;
  /** The event's id, which is also the `webhook-id` header. */
  eventId: string;
  eventType: string;
  /** Position of the event in its account: deliveries to one endpoint go in this order. */
  seq: number;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: Timestamp | null;
  /** When the next attempt is due (pending only). */
  nextAttemptAt: Timestamp | null;
  /** Retries stop (the delivery fails) once this has passed; a manual redelivery starts a new period. */
  retryFrom: Timestamp;
  createdAt: Timestamp;
}

/** Whether an endpoint subscribed to `eventTypes` receives an event of `type`. */
export function subscribes(eventTypes: readonly string[], type: string): boolean {
  return eventTypes.includes('*') || eventTypes.includes(type);
}
