/** Webhook endpoints: create (the secret shown once), read, update, delete, rotate the secret with an overlap. */
import { badRequest, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { AuditAction } from '../../core/types.js';
import type { WebhookEndpointRecord, WebhookSecret } from '../../core/webhooks.js';
import type { Page, StoreOps } from '../../store/store.js';
import { requirePermission, type Actor } from '../actor.js';
import type { RandomBytes, ServiceContext } from '../context.js';
import { checkPageSize } from '../tokens/read-tokens.js';
import { checkDescription, checkEventTypes, checkWebhookUrl } from './webhook-input.js';
import { toWebhookView, type WebhookEndpointView } from './webhook-view.js';

/** 32 random bytes: Standard Webhooks asks for 24 to 64. */
const SECRET_BYTES = 32;
/** A rotated-out secret keeps signing this long by default, so receivers can switch without missing a delivery. */
export const DEFAULT_SECRET_OVERLAP_SECONDS = 86_400;
export const MAX_SECRET_OVERLAP_SECONDS = 7 * 86_400;

export interface CreateWebhookInput {
  url: string;
  eventTypes: string[];
  enabled?: boolean;
  description?: string | null;
}

export type UpdateWebhookInput = Partial<CreateWebhookInput>;

/** An endpoint with its signing secret: the one answer that ever carries it (create and rotate). */
export interface WebhookWithSecret {
  webhook: WebhookEndpointView;
  secret: string;
}

function newSecret(randomBytes: RandomBytes): string {
  return `whsec_${Buffer.from(randomBytes(SECRET_BYTES)).toString('base64')}`;
}

async function loadEndpoint(store: Pick<StoreOps, 'getWebhookEndpoint'>, actor: Actor, id: string): Promise<WebhookEndpointRecord> {
  const endpoint = await store.getWebhookEndpoint(actor.accountId, id);
  if (endpoint === undefined) throw notFound(`webhook endpoint ${id}`);
  return endpoint;
}

/** The audit entry of an endpoint change: its settings, never its secrets. */
function snapshot(endpoint: WebhookEndpointRecord | null): unknown {
  if (endpoint === null) return null;
  const { secrets: _secrets, ...rest } = endpoint;
  return rest;
}

async function audit(tx: StoreOps, actor: Actor, action: AuditAction, before: WebhookEndpointRecord | null, after: WebhookEndpointRecord | null, at: string): Promise<void> {
  const id = (after ?? before)?.id ?? '';
  await tx.appendAudit({ accountId: actor.accountId, actor: actor.tokenId, action, targetType: 'webhook', targetId: id, before: snapshot(before), after: snapshot(after), at });
}

export async function createWebhook(ctx: ServiceContext, actor: Actor, input: CreateWebhookInput): Promise<WebhookWithSecret> {
  requirePermission(actor, 'account:webhooks:write');
  const url = checkWebhookUrl(input.url);
  const eventTypes = checkEventTypes(input.eventTypes);
  const description = checkDescription(input.description ?? null);
  const nowMs = ctx.clock.now();
  const now = new Date(nowMs).toISOString();
  const secret = newSecret(ctx.randomBytes);
  const endpoint: WebhookEndpointRecord = {
    accountId: actor.accountId,
    id: newId('webhookEndpoint', ctx.randomBytes),
    url,
    description,
    eventTypes,
    enabled: input.enabled ?? true,
    secrets: [{ secret, expiresAt: null }],
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.transaction(async (tx) => {
    await tx.insertWebhookEndpoint(endpoint);
    await audit(tx, actor, 'webhook.create', null, endpoint, now);
  });
  return { webhook: toWebhookView(endpoint, nowMs), secret };
}

export async function listWebhooks(ctx: ServiceContext, actor: Actor, input: { limit?: number; cursor?: string }): Promise<Page<WebhookEndpointView>> {
  requirePermission(actor, 'account:webhooks:read');
  const page = await ctx.store.listWebhookEndpoints({
    accountId: actor.accountId,
    limit: checkPageSize(input.limit),
    ...(input.cursor ? { cursor: input.cursor } : {}),
  });
  const nowMs = ctx.clock.now();
  return { items: page.items.map((e) => toWebhookView(e, nowMs)), nextCursor: page.nextCursor };
}

export async function getWebhook(ctx: ServiceContext, actor: Actor, id: string): Promise<WebhookEndpointView> {
  requirePermission(actor, 'account:webhooks:read');
  return toWebhookView(await loadEndpoint(ctx.store, actor, id), ctx.clock.now());
}

export async function updateWebhook(ctx: ServiceContext, actor: Actor, id: string, input: UpdateWebhookInput): Promise<WebhookEndpointView> {
  requirePermission(actor, 'account:webhooks:write');
  const changes: Partial<WebhookEndpointRecord> = {};
  if (input.url !== undefined) changes.url = checkWebhookUrl(input.url);
  if (input.eventTypes !== undefined) changes.eventTypes = checkEventTypes(input.eventTypes);
  if (input.description !== undefined) changes.description = checkDescription(input.description);
  if (input.enabled !== undefined) changes.enabled = input.enabled;
  const nowMs = ctx.clock.now();
  const now = new Date(nowMs).toISOString();
  const updated = await ctx.store.transaction(async (tx) => {
    const before = await loadEndpoint(tx, actor, id);
    const next = { ...before, ...changes, updatedAt: now };
    await tx.updateWebhookEndpoint(next);
    await audit(tx, actor, 'webhook.update', before, next, now);
    return next;
  });
  return toWebhookView(updated, nowMs);
}

export async function deleteWebhook(ctx: ServiceContext, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'account:webhooks:write');
  const now = new Date(ctx.clock.now()).toISOString();
  await ctx.store.transaction(async (tx) => {
    const before = await loadEndpoint(tx, actor, id);
    await tx.deleteWebhookEndpoint(actor.accountId, id);
    await audit(tx, actor, 'webhook.delete', before, null, now);
  });
}

/**
 * A new signing secret; the previous one keeps signing (a second `v1,` signature on every delivery) for
 * `overlapSeconds`, so a receiver can deploy the new secret without refusing a delivery in between.
 */
export async function rotateWebhookSecret(ctx: ServiceContext, actor: Actor, id: string, options: { overlapSeconds?: number } = {}): Promise<WebhookWithSecret> {
  requirePermission(actor, 'account:webhooks:write');
  const overlap = options.overlapSeconds ?? DEFAULT_SECRET_OVERLAP_SECONDS;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_SECRET_OVERLAP_SECONDS) {
    throw badRequest('overlapSeconds', `must be a whole number from 0 to ${MAX_SECRET_OVERLAP_SECONDS}`);
  }
  const nowMs = ctx.clock.now();
  const now = new Date(nowMs).toISOString();
  const secret = newSecret(ctx.randomBytes);
  const overlapEnd = new Date(nowMs + overlap * 1000).toISOString();
  const updated = await ctx.store.transaction(async (tx) => {
    const before = await loadEndpoint(tx, actor, id);
    const kept: WebhookSecret[] = before.secrets
      .map((s) => (s.expiresAt === null ? { ...s, expiresAt: overlapEnd } : s))
      .filter((s) => overlap > 0 && s.expiresAt !== null && Date.parse(s.expiresAt) > nowMs);
    const next = { ...before, secrets: [{ secret, expiresAt: null }, ...kept], updatedAt: now };
    await tx.updateWebhookEndpoint(next);
    await audit(tx, actor, 'webhook.rotate', before, next, now);
    return next;
  });
  return { webhook: toWebhookView(updated, nowMs), secret };
}
