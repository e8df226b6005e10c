/** Writing a lifecycle event to the outbox, in the transaction of the change it tells (issue 20, docs/webhooks.md). */
import { randomBytes } from 'node:crypto';
import { newId } from '../../core/ids.js';
import type { AccountId } from '../../core/types.js';
import type { WebhookEventType } from '../../core/webhooks.js';
import type { StoreOps } from '../../store/store.js';

/**
 * Appends `{type, timestamp, data}` to the account's outbox through `tx`: it is sent if and only if the change
 * commits. `data` must hold no secret (token snapshots, ids, reasons only). The event id is random, like an audit
 * entry's, drawn here so that every writer (some without the service's context) can emit.
 */
export async function emitEvent(
  tx: Pick<StoreOps, 'appendWebhookEvent'>,
  accountId: AccountId,
  type: WebhookEventType,
  data: Record<string, unknown>,
  at: string,
): Promise<void> {
  const payload = JSON.stringify({ type, timestamp: at, data });
  await tx.appendWebhookEvent({ accountId, id: newId('webhookEvent', randomBytes), type, payload, at });
}
