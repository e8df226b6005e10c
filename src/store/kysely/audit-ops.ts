/** The audit log: an append-only hash chain per account, with its head kept beside it. */
import { randomBytes } from 'node:crypto';
import { newId } from '../../core/ids.js';
import { auditEventHash, GENESIS_HASH } from '../../core/audit-chain.js';
import type { AuditEvent, AuditEventId } from '../../core/types.js';
import type { ListAuditQuery, Page, StoreOps } from '../store.js';
import { decodeAuditCursor, encodeAuditCursor } from './cursor.js';
import { checkLimit, inTransaction, type Db } from './db-helpers.js';
import type { DialectHooks } from './dialect-hooks.js';
import { auditEventToRow, rowToAuditEvent } from './row-mapping.js';

type AuditOps = Pick<StoreOps, 'appendAudit' | 'listAudit' | 'readAuditChain'>;

/**
 * The value as it will read back from its JSON column. Hashing this rather than the caller's object keeps the
 * hash valid on re-read even when the draft held `undefined` fields, Dates or class instances.
 */
function asStored(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

export function auditOps(db: Db, hooks: DialectHooks): AuditOps {
  return {
    appendAudit: (draft) =>
      inTransaction(db, async (trx) => {
        await hooks.lockAuditChain(trx, draft.accountId);
        const head = await trx
          .selectFrom('audit_heads')
          .select(['seq', 'hash'])
          .where('account_id', '=', draft.accountId)
          .executeTakeFirst();
        const content: Omit<AuditEvent, 'hash'> = {
          id: newId('auditEvent', randomBytes) as AuditEventId,
          accountId: draft.accountId,
          seq: head === undefined ? 1 : Number(head.seq) + 1,
          prevHash: head?.hash ?? GENESIS_HASH,
          actor: draft.actor,
          action: draft.action,
          targetType: draft.targetType,
          targetId: draft.targetId,
          before: asStored(draft.before),
          after: asStored(draft.after),
          at: draft.at,
        };
        const event: AuditEvent = { ...content, hash: auditEventHash(content) };
        await trx.insertInto('audit_events').values(auditEventToRow(event)).execute();
        await trx
          .insertInto('audit_heads')
          .values({ account_id: event.accountId, seq: event.seq, hash: event.hash })
          .onConflict((oc) => oc.column('account_id').doUpdateSet({ seq: event.seq, hash: event.hash }))
          .execute();
        return event;
      }),

    listAudit: (query) => listAudit(db, query),

    async readAuditChain(accountId) {
      const rows = await db.selectFrom('audit_events').selectAll().where('account_id', '=', accountId).orderBy('seq').execute();
      const head = await db
        .selectFrom('audit_heads')
        .select(['seq', 'hash'])
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return {
        events: rows.map(rowToAuditEvent),
        head: head === undefined ? null : { seq: Number(head.seq), hash: head.hash },
      };
    },
  };
}

/** Newest first (by `seq`); `from` and `to` are both inclusive. */
async function listAudit(db: Db, query: ListAuditQuery): Promise<Page<AuditEvent>> {
  const limit = checkLimit(query.limit);
  let q = db.selectFrom('audit_events').selectAll().where('account_id', '=', query.accountId);
  const { tokenId, action, from, to, cursor } = query;
  if (tokenId !== undefined) {
    q = q.where((eb) =>
      eb.or([eb('actor', '=', tokenId), eb.and([eb('target_type', '=', 'token'), eb('target_id', '=', tokenId)])]),
    );
  }
  if (action !== undefined) q = q.where('action', '=', action);
  if (from !== undefined) q = q.where('at', '>=', from);
  if (to !== undefined) q = q.where('at', '<=', to);
  if (cursor !== undefined) q = q.where('seq', '<', decodeAuditCursor(cursor));

  const rows = await q.orderBy('seq', 'desc').limit(limit + 1).execute();
  const items = rows.slice(0, limit).map(rowToAuditEvent);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeAuditCursor(last.seq) : null };
}
