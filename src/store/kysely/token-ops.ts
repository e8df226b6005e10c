/** Token reads and writes: insert with the first secret, replace, delete, list with filters and cursor. */
import { sql } from 'kysely';
import type { TokenId, TokenRecord, TokenSecretRecord } from '../../core/types.js';
import type { ListTokensQuery, StoreChange, StoreOps } from '../store.js';
import { decodeTokenCursor, encodeTokenCursor } from './cursor.js';
import { checkLimit, conflictAs, containsPattern, type Db } from './db-helpers.js';
import type { DialectHooks } from './dialect-hooks.js';
import type { StoreChanges } from './store-changes.js';
import { rowToToken, secretToRow, tokenToRow, tokenUpdateColumns } from './row-mapping.js';

type TokenOps = Pick<
  StoreOps,
  'insertToken' | 'insertTokens' | 'getToken' | 'updateToken' | 'deleteTokens' | 'listTokens' | 'listDescendants' | 'countTokens'
>;

/** Well under SQLite's bound-parameter limit (PostgreSQL's is far higher), for `IN (…)` lists of caller-supplied length. */
const DELETE_CHUNK = 500;
/**
 * Rows per multi-row insert in `insertTokens`: 500 × 25 token columns = 12,500 bound parameters, well under
 * SQLite's 32,766 and PostgreSQL's 65,535, yet few enough statements that a PostgreSQL round trip per chunk,
 * not per row, is what a large batch costs.
 */
const INSERT_CHUNK = 500;

/** What an insert tells: the token, and its first secret (which a cache may remember as unknown). */
const inserted = (token: TokenRecord, secret: TokenSecretRecord): StoreChange => ({ accountId: token.accountId, tokenId: token.id, secretHash: secret.hash });

export function tokenOps(db: Db, hooks: DialectHooks, changes: StoreChanges): TokenOps {
  return {
    async insertToken(token, secret) {
      await changes.transaction(db, async (trx) => {
        await conflictAs(hooks, 'token id', () => trx.insertInto('tokens').values(tokenToRow(token)).execute());
        await conflictAs(hooks, 'secret hash', () => trx.insertInto('token_secrets').values(secretToRow(secret)).execute());
        await changes.notify(trx, inserted(token, secret));
      });
    },

    async insertTokens(items) {
      if (items.length === 0) return;
      await changes.transaction(db, async (trx) => {
        for (let i = 0; i < items.length; i += INSERT_CHUNK) {
          const chunk = items.slice(i, i + INSERT_CHUNK);
          await conflictAs(hooks, 'token id', () => trx.insertInto('tokens').values(chunk.map((item) => tokenToRow(item.token))).execute());
          await conflictAs(hooks, 'secret hash', () =>
            trx.insertInto('token_secrets').values(chunk.map((item) => secretToRow(item.secret))).execute(),
          );
          await changes.notify(trx, ...chunk.map((item) => inserted(item.token, item.secret)));
        }
      });
    },

    async getToken(accountId, id, lock) {
      let q = db.selectFrom('tokens').selectAll().where('account_id', '=', accountId).where('id', '=', id);
      // Inside a transaction the caller is about to check and write the token (If-Match, revoke, rotate).
      if (db.isTransaction && hooks.lockRowsOnRead) q = lock === 'key-share' ? q.forKeyShare() : q.forUpdate();
      const row = await q.executeTakeFirst();
      return row === undefined ? undefined : rowToToken(row);
    },

    async updateToken(token) {
      return changes.transaction(db, async (trx) => {
        const result = await trx
          .updateTable('tokens')
          .set(tokenUpdateColumns(token))
          .where('account_id', '=', token.accountId)
          .where('id', '=', token.id)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) return false;
        await changes.notify(trx, { accountId: token.accountId, tokenId: token.id });
        return true;
      });
    },

    async deleteTokens(accountId, ids) {
      const wanted = [...new Set(ids)];
      if (wanted.length === 0) return [];
      const deleted = new Set<string>();
      await changes.transaction(db, async (trx) => {
        for (let i = 0; i < wanted.length; i += DELETE_CHUNK) {
          const rows = await trx
            .deleteFrom('tokens')
            .where('account_id', '=', accountId)
            .where('id', 'in', wanted.slice(i, i + DELETE_CHUNK))
            .returning('id')
            .execute();
          for (const row of rows) deleted.add(row.id);
        }
        for (const id of deleted) await changes.notify(trx, { accountId, tokenId: id as TokenId });
      });
      return wanted.filter((id) => deleted.has(id));
    },

    listTokens: (query) => listTokens(db, query),

    async listDescendants(accountId, id) {
      // UNION (not UNION ALL) drops rows already seen, so even a corrupt parent cycle terminates.
      const rows = await db
        .withRecursive('descendants(id)', (qb) =>
          qb
            .selectFrom('tokens')
            .select('id')
            .where('account_id', '=', accountId)
            .where('parent_id', '=', id)
            .union(
              qb
                .selectFrom('tokens')
                .innerJoin('descendants', 'descendants.id', 'tokens.parent_id')
                .select('tokens.id')
                .where('tokens.account_id', '=', accountId),
            ),
        )
        .selectFrom('tokens')
        .selectAll('tokens')
        .where('tokens.account_id', '=', accountId)
        .where('tokens.id', 'in', (qb) => qb.selectFrom('descendants').select('descendants.id'))
        .where('tokens.id', '!=', id)
        .orderBy('tokens.created_at')
        .orderBy('tokens.id')
        .execute();
      return rows.map(rowToToken);
    },

    async countTokens(accountId) {
      const row = await db
        .selectFrom('tokens')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

async function listTokens(db: Db, query: ListTokensQuery) {
  const limit = checkLimit(query.limit);
  const { now } = query;
  let q = db.selectFrom('tokens').selectAll().where('account_id', '=', query.accountId);

  if (query.status === 'active') {
    q = q.where((eb) =>
      eb.and([
        eb('enabled', '=', 1),
        eb('revoked_at', 'is', null),
        eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]),
      ]),
    );
  } else if (query.status === 'inactive') {
    q = q.where((eb) =>
      eb.or([
        eb('enabled', '=', 0),
        eb('revoked_at', 'is not', null),
        eb.and([eb('expires_at', 'is not', null), eb('expires_at', '<=', now)]),
      ]),
    );
  }

  const search = query.search?.toLowerCase();
  if (search !== undefined && search !== '') {
    // A pasted id finds its token too (ids are case-sensitive, names are searched in any case).
    const byName = sql<boolean>`${sql.ref('name_lower')} like ${containsPattern(search)} escape '\\'`;
    q = q.where((eb) => eb.or([byName, eb('id', '=', query.search!)]));
  }
  if (query.kinds !== undefined) q = q.where('kind', 'in', [...query.kinds]);
  if (query.identityId !== undefined) q = q.where('identity_id', '=', query.identityId);

  if (query.cursor !== undefined) {
    const after = decodeTokenCursor(query.cursor);
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    );
  }

  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map(rowToToken);
  const last = items.at(-1);
  const nextCursor =
    rows.length > limit && last !== undefined ? encodeTokenCursor({ createdAt: last.createdAt, id: last.id }) : null;
  return { items, nextCursor };
}
