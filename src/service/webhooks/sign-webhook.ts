/** Standard Webhooks signatures (`webhook-id`, `webhook-timestamp`, `webhook-signature`), made by the reference library. */
import { Webhook } from 'standardwebhooks';
import type { WebhookSecret } from '../../core/webhooks.js';

/**
 * The three headers of one attempt. Every secret still signing contributes a `v1,` signature (space-separated):
 * during a rotation's overlap a receiver holding either secret accepts the delivery.
 */
export function signWebhook(secrets: readonly WebhookSecret[], id: string, payload: string, nowMs: number): Record<string, string> {
  const at = new Date(nowMs);
  const signing = secrets.filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > nowMs);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(nowMs / 1000)),
    'webhook-signature': signing.map((s) => new Webhook(s.secret).sign(id, at, payload)).join(' '),
  };
}
