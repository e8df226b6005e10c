/** An endpoint's delivery log, and sending one event again by hand. */
import { notFound } from '../../core/errors.js';
import type { Page } from '../../store/store.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { checkPageSize } from '../tokens/read-tokens.js';
import { toDeliveryView, type WebhookDeliveryView } from './webhook-view.js';

export async function listWebhookDeliveries(
  ctx: ServiceContext,
  actor: Actor,
  endpointId: string,
  input: { limit?: number; cursor?: string },
): Promise<Page<WebhookDeliveryView>> {
  requirePermission(actor, 'account:webhooks:read');
  if ((await ctx.store.getWebhookEndpoint(actor.accountId, endpointId)) === undefined) throw notFound(`webhook endpoint ${endpointId}`);
  const page = await ctx.store.listWebhookDeliveries({
    accountId: actor.accountId,
    endpointId,
    limit: checkPageSize(input.limit),
    ...(input.cursor ? { cursor: input.cursor } : {}),
  });
  return { items: page.items.map(toDeliveryView), nextCursor: page.nextCursor };
}

/**
 * Queues the event for the endpoint again, due now, with a new retry period: it goes out with the same
 * `webhook-id` (a receiver that already has it recognises it), in its place in the endpoint's order.
 */
export async function redeliverWebhook(ctx: ServiceContext, actor: Actor, endpointId: string, deliveryId: string): Promise<void> {
  requirePermission(actor, 'account:webhooks:write');
  const now = new Date(ctx.clock.now()).toISOString();
  const found = await ctx.store.redeliverWebhook(actor.accountId, endpointId, deliveryId, now);
  if (!found) throw notFound(`delivery ${deliveryId} of webhook endpoint ${endpointId}`);
}
