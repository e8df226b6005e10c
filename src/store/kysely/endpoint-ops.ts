/** The integration platform's endpoint tokens: per-endpoint settings with their primaries, and secondary-token assignments. */
import type { AccountId, TokenId } from '../../core/types.js';
import type { EndpointAuthMode, EndpointSettingsRecord, ListSecondariesQuery, StoreOps } from '../store.js';
import { decodeTokenCursor, encodeTokenCursor } from './cursor.js';
import { checkLimit, inTransaction, type Db } from './db-helpers.js';
import { rowToToken } from './row-mapping.js';
import type { EndpointSettingsTable } from './schema.js';

type EndpointOps = Pick<
  StoreOps,
  'getEndpointSettings' | 'listEndpointSettings' | 'putEndpointSettings' | 'listAssignments' | 'replaceAssignments' | 'listSecondaries'
>;

function rowToSettings(row: EndpointSettingsTable): EndpointSettingsRecord {
  return {
    accountId: row.account_id as AccountId,
    endpointId: row.endpoint_id,
    mode: row.mode as EndpointAuthMode,
    allowDelete: Number(row.allow_delete) === 1,
    primaries: JSON.parse(row.primaries) as Record<string, TokenId>,
    updatedAt: row.updated_at,
  };
}

export function endpointOps(db: Db): EndpointOps {
  return {
    async getEndpointSettings(accountId, endpointId) {
      const row = await db
        .selectFrom('endpoint_settings')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('endpoint_id', '=', endpointId)
        .executeTakeFirst();
      return row === undefined ? undefined : rowToSettings(row);
    },

    async listEndpointSettings(accountId) {
      const rows = await db.selectFrom('endpoint_settings').selectAll().where('account_id', '=', accountId).orderBy('endpoint_id').execute();
      return rows.map(rowToSettings);
    },

    async putEndpointSettings(s) {
      const values = {
        account_id: s.accountId,
        endpoint_id: s.endpointId,
        mode: s.mode,
        allow_delete: s.allowDelete ? 1 : 0,
        primaries: JSON.stringify(s.primaries),
        updated_at: s.updatedAt,
      };
      await db
        .insertInto('endpoint_settings')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['account_id', 'endpoint_id']).doUpdateSet({
            mode: values.mode,
            allow_delete: values.allow_delete,
            primaries: values.primaries,
            updated_at: values.updated_at,
          }),
        )
        .execute();
    },

    async listAssignments(query) {
      let q = db.selectFrom('endpoint_assignments').select(['token_id', 'endpoint_id', 'method']).where('account_id', '=', query.accountId);
      if (query.tokenId !== undefined) q = q.where('token_id', '=', query.tokenId);
      if (query.endpointId !== undefined) q = q.where('endpoint_id', '=', query.endpointId);
      const rows = await q.orderBy('endpoint_id').orderBy('method').orderBy('token_id').execute();
      return rows.map((r) => ({ tokenId: r.token_id as TokenId, endpointId: r.endpoint_id, method: r.method }));
    },

    async replaceAssignments(accountId, tokenId, assignments) {
      await inTransaction(db, async (trx) => {
        await trx.deleteFrom('endpoint_assignments').where('account_id', '=', accountId).where('token_id', '=', tokenId).execute();
        const unique = new Map(assignments.map((a) => [`${a.endpointId} ${a.method}`, a]));
        if (unique.size === 0) return;
        await trx
          .insertInto('endpoint_assignments')
          .values([...unique.values()].map((a) => ({ account_id: accountId, token_id: tokenId, endpoint_id: a.endpointId, method: a.method })))
          .execute();
      });
    },

    listSecondaries: (query) => listSecondaries(db, query),
  };
}

async function listSecondaries(db: Db, query: ListSecondariesQuery) {
  const limit = checkLimit(query.limit);
  const { now } = query;
  let q = db.selectFrom('tokens').selectAll().where('account_id', '=', query.accountId).where('kind', '=', 'secondary');
  if (query.status === 'active') {
    q = q.where((eb) =>
      eb.and([eb('enabled', '=', 1), eb('revoked_at', 'is', null), eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)])]),
    );
  } else if (query.status === 'inactive') {
    q = q.where((eb) =>
      eb.or([eb('enabled', '=', 0), eb('revoked_at', 'is not', null), eb.and([eb('expires_at', 'is not', null), eb('expires_at', '<=', now)])]),
    );
  }
  if (query.endpointId !== undefined && query.assigned !== undefined) {
    const assignedHere = db
      .selectFrom('endpoint_assignments')
      .select('token_id')
      .where('account_id', '=', query.accountId)
      .where('endpoint_id', '=', query.endpointId);
    q = q.where('id', query.assigned ? 'in' : 'not in', assignedHere);
  }
  if (query.cursor !== undefined) {
    const after = decodeTokenCursor(query.cursor);
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]),
    );
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const items = rows.slice(0, limit).map(rowToToken);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeTokenCursor({ createdAt: last.createdAt, id: last.id }) : null };
}
