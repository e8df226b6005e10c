/** What the API shows of a webhook endpoint and of a delivery: never a signing secret. */
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from '../../core/webhooks.js';

export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  /** While a rotated-out secret still signs (each delivery carries both signatures): the end of that overlap. */
  previousSecretExpiresAt: string | null;
}

export function toWebhookView(endpoint: WebhookEndpointRecord, nowMs: number): WebhookEndpointView {
  const overlap = endpoint.secrets
    .filter((s) => s.expiresAt !== null && Date.parse(s.expiresAt) > nowMs)
    .map((s) => s.expiresAt as string)
    .sort()
    .at(-1);
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    enabled: endpoint.enabled,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
    previousSecretExpiresAt: overlap ?? null,
  };
}

export interface WebhookDeliveryView {
  /** The event's id: the `webhook-id` header of every attempt. */
  id: string;
  eventType: string;
  status: WebhookDeliveryRecord['status'];
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
}

export function toDeliveryView(d: WebhookDeliveryRecord): WebhookDeliveryView {
  return {
    id: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    lastAttemptAt: d.lastAttemptAt,
    nextAttemptAt: d.nextAttemptAt,
    createdAt: d.createdAt,
  };
}
