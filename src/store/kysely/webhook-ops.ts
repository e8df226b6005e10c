/** Webhooks (issue 20): endpoints, the outbox of events, deliveries per endpoint in order, and their leases. */
import type { AccountId } from '../../core/types.js';
import { subscribes, type WebhookDeliveryRecord, type WebhookDeliveryStatus, type WebhookEndpointRecord, type WebhookSecret } from '../../core/webhooks.js';
import type { ScheduledTokensQuery, WebhookOps } from '../webhook-store.js';
import { decodeAuditCursor, decodeTokenCursor, encodeAuditCursor, encodeTokenCursor } from './cursor.js';
import { checkLimit, conflictAs, inTransaction, type Db } from './db-helpers.js';
import type { DialectHooks } from './dialect-hooks.js';
import { rowToAccount, rowToToken } from './row-mapping.js';
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from './schema.js';

function endpointToRow(e: WebhookEndpointRecord): Omit<WebhookEndpointsTable, 'lease_owner' | 'lease_until'> {
  return {
    id: e.id,
    account_id: e.accountId,
    url: e.url,
    description: e.description,
    event_types: JSON.stringify(e.eventTypes),
    enabled: e.enabled ? 1 : 0,
    secrets: JSON.stringify(e.secrets),
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

function rowToEndpoint(row: WebhookEndpointsTable): WebhookEndpointRecord {
  return {
    accountId: row.account_id as AccountId,
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: JSON.parse(row.event_types) as string[],
    enabled: Number(row.enabled) === 1,
    secrets: JSON.parse(row.secrets) as WebhookSecret[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function rowToDelivery(row: WebhookDeliveriesTable): WebhookDeliveryRecord {
  return {
    accountId: row.account_id as AccountId,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    seq: Number(row.seq),
    status: row.status as WebhookDeliveryStatus,
    attempts: Number(row.attempts),
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: row.next_attempt_at,
    retryFrom: row.retry_from,
    createdAt: row.created_at,
  };
}

async function listScheduledTokens(db: Db, query: ScheduledTokensQuery) {
  const markKind = query.kind === 'idle' ? null : query.kind;
  let q = db.selectFrom('tokens').selectAll('tokens').where('tokens.revoked_at', 'is', null);
  if (query.accountId !== undefined) q = q.where('tokens.account_id', '=', query.accountId);
  const timeColumn = query.kind === 'expiring' || query.kind === 'expired'
    ? ('tokens.expires_at' as const)
    : null;
  if (timeColumn !== null) {
    q = q.where(timeColumn, '<=', query.until);
    if (query.from !== undefined) q = q.where(timeColumn, '>', query.from);
  } else {
    // Primary endpoint tokens belong to their endpoint and cannot be switched back on: never dormant.
    q = q.where('tokens.enabled', '=', 1).where('tokens.kind', '<>', 'primary');
    q = q.where((eb) => eb(eb.fn.coalesce('tokens.last_used_at', 'tokens.created_at'), '<=', query.until));
    const liveAt = query.liveAt;
    if (liveAt !== undefined) q = q.where((eb) => eb.or([eb('tokens.expires_at', 'is', null), eb('tokens.expires_at', '>', liveAt)]));
  }
  if (markKind !== null) {
    q = q.where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('webhook_marks')
            .select('webhook_marks.mark')
            .whereRef('webhook_marks.account_id', '=', 'tokens.account_id')
            .whereRef('webhook_marks.token_id', '=', 'tokens.id')
            .where('webhook_marks.kind', '=', markKind)
            .where((m) =>
              timeColumn !== null
                ? m('webhook_marks.mark', '=', m.ref('tokens.expires_at'))
                : m('webhook_marks.mark', '=', m.fn.coalesce('tokens.last_used_at', 'tokens.created_at')),
            ),
        ),
      ),
    );
  }
  const rows = await q.orderBy('tokens.account_id').orderBy('tokens.id').limit(checkLimit(query.limit)).execute();
  return rows.map(rowToToken);
}

export function webhookOps(db: Db, hooks: DialectHooks): WebhookOps {
  return {
    async listAccounts() {
      const rows = await db.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(rowToAccount);
    },

    listScheduledTokens: (query) => listScheduledTokens(db, query),

    async insertWebhookEndpoint(endpoint) {
      await conflictAs(hooks, 'webhook endpoint id', () =>
        db.insertInto('webhook_endpoints').values({ ...endpointToRow(endpoint), lease_owner: null, lease_until: null }).execute(),
      );
    },

    async getWebhookEndpoint(accountId, id) {
      const row = await db.selectFrom('webhook_endpoints').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : rowToEndpoint(row);
    },

    async listWebhookEndpoints(query) {
      const limit = checkLimit(query.limit);
      let q = db.selectFrom('webhook_endpoints').selectAll().where('account_id', '=', query.accountId);
      if (query.cursor !== undefined) {
        const after = decodeTokenCursor(query.cursor);
        q = q.where((eb) =>
          eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]),
        );
      }
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(rowToEndpoint);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeTokenCursor({ createdAt: last.createdAt, id: last.id }) : null };
    },

    async updateWebhookEndpoint(endpoint) {
      const { id: _i, account_id: _a, created_at: _c, ...columns } = endpointToRow(endpoint);
      const result = await db
        .updateTable('webhook_endpoints')
        .set(columns)
        .where('account_id', '=', endpoint.accountId)
        .where('id', '=', endpoint.id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    deleteWebhookEndpoint: (accountId, id) =>
      inTransaction(db, async (trx) => {
        const result = await trx.deleteFrom('webhook_endpoints').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
        if (result.numDeletedRows === 0n) return false;
        await trx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
        return true;
      }),

    appendWebhookEvent: (event) =>
      inTransaction(db, async (trx) => {
        // The same lock as the audit chain (already held when an audit entry was appended in this transaction):
        // seq n+1 is not taken before n commits, so a sender never sees n+1 without n.
        await hooks.lockAuditChain(trx, event.accountId);
        const last = await trx
          .selectFrom('webhook_events')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('account_id', '=', event.accountId)
          .executeTakeFirst();
        const seq = Number(last?.seq ?? 0) + 1;
        await trx
          .insertInto('webhook_events')
          .values({ account_id: event.accountId, seq, id: event.id, type: event.type, payload: event.payload, created_at: event.at })
          .execute();
        const endpoints = await trx
          .selectFrom('webhook_endpoints')
          .select(['id', 'event_types'])
          .where('account_id', '=', event.accountId)
          .where('enabled', '=', 1)
          .execute();
        const targets = endpoints.filter((e) => subscribes(JSON.parse(e.event_types) as string[], event.type));
        if (targets.length > 0) {
          await trx
            .insertInto('webhook_deliveries')
            .values(
              targets.map((e) => ({
                endpoint_id: e.id,
                seq,
                account_id: event.accountId,
                event_id: event.id,
                event_type: event.type,
                status: 'pending',
                attempts: 0,
                last_status_code: null,
                last_error: null,
                last_attempt_at: null,
                next_attempt_at: event.at,
                retry_from: event.at,
                created_at: event.at,
              })),
            )
            .execute();
        }
        return seq;
      }),

    async claimWebhookMark(mark) {
      const result = await db
        .insertInto('webhook_marks')
        .values({ account_id: mark.accountId, token_id: mark.tokenId, kind: mark.kind, mark: mark.mark })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    async listWebhookDeliveries(query) {
      const limit = checkLimit(query.limit);
      let q = db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('account_id', '=', query.accountId)
        .where('endpoint_id', '=', query.endpointId);
      if (query.cursor !== undefined) q = q.where('seq', '<', decodeAuditCursor(query.cursor));
      const rows = await q.orderBy('seq', 'desc').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(rowToDelivery);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeAuditCursor(last.seq) : null };
    },

    async redeliverWebhook(accountId, endpointId, eventId, now) {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', next_attempt_at: now, retry_from: now })
        .where('account_id', '=', accountId)
        .where('endpoint_id', '=', endpointId)
        .where('event_id', '=', eventId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async leaseWebhookEndpoints({ owner, now, until, limit }) {
      const candidates = await db
        .selectFrom('webhook_endpoints')
        .select('id')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('webhook_deliveries')
              .select('seq')
              .whereRef('webhook_deliveries.endpoint_id', '=', 'webhook_endpoints.id')
              .where('webhook_deliveries.status', '=', 'pending'),
          ),
        )
        .orderBy('lease_until')
        .limit(limit)
        .execute();
      const held: WebhookEndpointRecord[] = [];
      for (const { id } of candidates) {
        // The claim itself: one conditional update, which only one instance can win for a given lease.
        const result = await db
          .updateTable('webhook_endpoints')
          .set({ lease_owner: owner, lease_until: until })
          .where('id', '=', id)
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) continue;
        const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
        if (row !== undefined) held.push(rowToEndpoint(row));
      }
      return held;
    },

    async moveWebhookLease(endpointId, owner, until) {
      const result = await db
        .updateTable('webhook_endpoints')
        .set({ lease_until: until, lease_owner: until === null ? null : owner })
        .where('id', '=', endpointId)
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async nextWebhookDelivery(endpointId) {
      const row = await db
        .selectFrom('webhook_deliveries')
        .innerJoin('webhook_events', (join) =>
          join.onRef('webhook_events.account_id', '=', 'webhook_deliveries.account_id').onRef('webhook_events.seq', '=', 'webhook_deliveries.seq'),
        )
        .selectAll('webhook_deliveries')
        .select('webhook_events.payload')
        .where('webhook_deliveries.endpoint_id', '=', endpointId)
        .where('webhook_deliveries.status', '=', 'pending')
        .orderBy('webhook_deliveries.seq')
        .limit(1)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const { payload, ...delivery } = row;
      return { delivery: rowToDelivery(delivery), payload };
    },

    deleteWebhookHistoryBefore: (before) =>
      inTransaction(db, async (trx) => {
        const deliveries = await trx
          .deleteFrom('webhook_deliveries')
          .where('status', '<>', 'pending')
          .where('created_at', '<', before)
          .executeTakeFirst();
        await trx
          .deleteFrom('webhook_events')
          .where('created_at', '<', before)
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('webhook_deliveries')
                  .select('webhook_deliveries.seq')
                  .whereRef('webhook_deliveries.account_id', '=', 'webhook_events.account_id')
                  .whereRef('webhook_deliveries.seq', '=', 'webhook_events.seq'),
              ),
            ),
          )
          .execute();
        return Number(deliveries.numDeletedRows);
      }),

    async recordWebhookAttempt(r) {
      await db
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          status: r.status,
          attempts: eb('attempts', '+', 1),
          last_status_code: r.statusCode,
          last_error: r.error,
          last_attempt_at: r.at,
          next_attempt_at: r.status === 'pending' ? r.nextAttemptAt : null,
        }))
        .where('endpoint_id', '=', r.endpointId)
        .where('seq', '=', r.seq)
        .where('status', '=', 'pending')
        .execute();
    },
  };
}
