/** `tessera webhooks create|list|get|update|delete|rotate-secret|deliveries|redeliver` (docs/webhooks.md). */
import type { Command } from 'commander';
import type { WebhookDeliveryView, WebhookEndpointView } from '../service/index.js';
import { addBackendOptions, collect, parseWhole, UsageError, withBackend, type CommonFlags } from './cli-options.js';
import { keyValues, orDash, print, secretLines, table, type CliIo } from './output.js';

interface WebhookFlags extends CommonFlags {
  hookUrl?: string;
  event?: string[];
  description?: string;
  /** `--enable` / `--disable`. */
  enable?: boolean;
  disable?: boolean;
  overlapSeconds?: string;
  limit?: string;
  cursor?: string;
}

export function registerWebhookCommands(program: Command, io: CliIo): void {
  const webhooks = program.command('webhooks').description('webhook endpoints: signed lifecycle events (Standard Webhooks) sent to your URLs');
  const page = (flags: WebhookFlags) => ({
    ...(flags.limit !== undefined ? { limit: parseWhole(flags.limit, '--limit') } : {}),
    ...(flags.cursor !== undefined ? { cursor: flags.cursor } : {}),
  });
  const description = (flags: WebhookFlags) =>
    flags.description === undefined ? {} : { description: flags.description === 'none' ? null : flags.description };

  // The endpoint's URL is an argument (create) or --hook-url (update): --url names the Tessera server.
  addBackendOptions(webhooks.command('create <hookUrl>').description('add an endpoint at <hookUrl> (http or https); prints its signing secret once (audited)'))
    .option('--event <type>', 'an event type to send, e.g. token.revoked, or * for all (repeatable; default *)', collect)
    .option('--description <text>', 'what the endpoint is for')
    .option('--disable', 'create it switched off')
    .action((hookUrl: string, flags: WebhookFlags) =>
      withBackend(io, flags, async (backend) => {
        const created = await backend.webhookCreate({
          url: hookUrl,
          eventTypes: flags.event ?? ['*'],
          ...(flags.disable ? { enabled: false } : {}),
          ...description(flags),
        });
        print(io, !!flags.json, created, (r) => [...webhookLines(r.webhook), ...secretLines(r.secret)]);
      }),
    );

  addBackendOptions(webhooks.command('list').description('endpoints, newest first'))
    .option('--limit <n>', 'page size (1-200)')
    .option('--cursor <cursor>', 'next page')
    .action((flags: WebhookFlags) =>
      withBackend(io, flags, async (backend) => {
        const result = await backend.webhookList(page(flags));
        print(io, !!flags.json, result, (p) => [
          ...table(['ID', 'URL', 'EVENTS', 'ENABLED'], p.items.map((w) => [w.id, w.url, w.eventTypes.join(' '), w.enabled ? 'yes' : 'no'])),
          ...(p.nextCursor ? ['', `more: --cursor ${p.nextCursor}`] : []),
        ]);
      }),
    );

  addBackendOptions(webhooks.command('get <id>').description('one endpoint (never its secret)'))
    .action((id: string, flags: CommonFlags) => withBackend(io, flags, async (backend) => print(io, !!flags.json, await backend.webhookShow(id), webhookLines)));

  addBackendOptions(webhooks.command('update <id>').description('change the fields given (audited); --event replaces the event types'))
    .option('--hook-url <url>', 'a new URL for the endpoint')
    .option('--event <type>', 'event types to send (repeatable; * for all)', collect)
    .option('--description <text>', 'a new description (none: remove it)')
    .option('--enable', 'switch it on')
    .option('--disable', 'switch it off (events meanwhile are not queued for it)')
    .action((id: string, flags: WebhookFlags) =>
      withBackend(io, flags, async (backend) => {
        if (flags.enable && flags.disable) throw new UsageError('webhooks update: --enable and --disable exclude each other');
        const patch = {
          ...(flags.hookUrl !== undefined ? { url: flags.hookUrl } : {}),
          ...(flags.event !== undefined ? { eventTypes: flags.event } : {}),
          ...(flags.enable ? { enabled: true } : flags.disable ? { enabled: false } : {}),
          ...description(flags),
        };
        if (Object.keys(patch).length === 0) throw new UsageError('webhooks update: give at least one of --hook-url, --event, --description, --enable, --disable');
        print(io, !!flags.json, await backend.webhookUpdate(id, patch), webhookLines);
      }),
    );

  addBackendOptions(webhooks.command('delete <id>').description('remove an endpoint and its delivery log (audited)'))
    .action((id: string, flags: CommonFlags) =>
      withBackend(io, flags, async (backend) => {
        await backend.webhookDelete(id);
        print(io, !!flags.json, { id, deleted: true }, () => [`deleted ${id}`]);
      }),
    );

  addBackendOptions(webhooks.command('rotate-secret <id>').description('a new signing secret, printed once; the old one still signs during the overlap'))
    .option('--overlap-seconds <n>', 'how long the old secret keeps signing (default 86400, one day)')
    .action((id: string, flags: WebhookFlags) =>
      withBackend(io, flags, async (backend) => {
        const overlap = parseWhole(flags.overlapSeconds, '--overlap-seconds');
        const rotated = await backend.webhookRotateSecret(id, overlap === undefined ? {} : { overlapSeconds: overlap });
        print(io, !!flags.json, rotated, (r) => [...webhookLines(r.webhook), ...secretLines(r.secret)]);
      }),
    );

  addBackendOptions(webhooks.command('deliveries <id>').description('the endpoint’s delivery log, newest event first'))
    .option('--limit <n>', 'page size (1-200)')
    .option('--cursor <cursor>', 'next page')
    .action((id: string, flags: WebhookFlags) =>
      withBackend(io, flags, async (backend) => {
        const result = await backend.webhookDeliveries(id, page(flags));
        print(io, !!flags.json, result, (p) => [
          ...table(['DELIVERY', 'EVENT', 'STATUS', 'ATTEMPTS', 'LAST', 'NEXT ATTEMPT'], p.items.map(deliveryRow)),
          ...(p.nextCursor ? ['', `more: --cursor ${p.nextCursor}`] : []),
        ]);
      }),
    );

  addBackendOptions(webhooks.command('redeliver <id> <deliveryId>').description('send an event to the endpoint again, with the same webhook-id'))
    .action((id: string, deliveryId: string, flags: CommonFlags) =>
      withBackend(io, flags, async (backend) => {
        await backend.webhookRedeliver(id, deliveryId);
        print(io, !!flags.json, { id, deliveryId, queued: true }, () => [`queued ${deliveryId} for ${id}`]);
      }),
    );
}

function deliveryRow(d: WebhookDeliveryView): string[] {
  const last = d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : orDash(d.lastError);
  return [d.id, d.eventType, d.status, String(d.attempts), last, orDash(d.nextAttemptAt)];
}

function webhookLines(webhook: WebhookEndpointView): string[] {
  return keyValues([
    ['webhook', webhook.id],
    ['url', webhook.url],
    ['events', webhook.eventTypes.join(' ')],
    ['enabled', webhook.enabled ? 'yes' : 'no'],
    ['description', orDash(webhook.description)],
    ['old secret until', orDash(webhook.previousSecretExpiresAt)],
    ['updated at', webhook.updatedAt],
  ]);
}
