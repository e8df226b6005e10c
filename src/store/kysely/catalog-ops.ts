/** Catalog versions: append-only per account, newest by version number. */
import type { AccountId, TokenId } from '../../core/types.js';
import type { CatalogVersionRecord, StoreOps } from '../store.js';
import { decodeVersionCursor, encodeVersionCursor } from './cursor.js';
import { conflictAs, type Db } from './db-helpers.js';
import type { DialectHooks } from './dialect-hooks.js';
import type { StoreChanges } from './store-changes.js';
import type { CatalogVersionsTable } from './schema.js';

type CatalogOps = Pick<StoreOps, 'insertCatalogVersion' | 'getCatalogVersion' | 'listCatalogVersions'>;

function rowToVersion(row: Omit<CatalogVersionsTable, 'source'> & { source?: string }) {
  return {
    accountId: row.account_id as AccountId,
    version: Number(row.version),
    name: row.name,
    format: row.format === 'json' ? ('json' as const) : ('yaml' as const),
    createdAt: row.created_at,
    createdBy: row.created_by as TokenId | null,
  };
}

export function catalogOps(db: Db, hooks: DialectHooks, changes: StoreChanges): CatalogOps {
  return {
    async insertCatalogVersion(v) {
      await changes.transaction(db, async (trx) => {
        await conflictAs(hooks, 'catalog version', () =>
          trx
            .insertInto('catalog_versions')
          .values({
            account_id: v.accountId,
            version: v.version,
            name: v.name,
            format: v.format,
            source: v.source,
            created_at: v.createdAt,
            created_by: v.createdBy,
          })
          .execute(),
        );
        await changes.notify(trx, { accountId: v.accountId, kind: 'catalog' });
      });
    },

    async getCatalogVersion(accountId, version) {
      let q = db.selectFrom('catalog_versions').selectAll().where('account_id', '=', accountId);
      q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version);
      const row = await q.executeTakeFirst();
      return row === undefined ? undefined : ({ ...rowToVersion(row), source: row.source } satisfies CatalogVersionRecord);
    },

    async listCatalogVersions(query) {
      let q = db
        .selectFrom('catalog_versions')
        .select(['account_id', 'version', 'name', 'format', 'created_at', 'created_by'])
        .where('account_id', '=', query.accountId);
      if (query.cursor !== undefined) q = q.where('version', '<', decodeVersionCursor(query.cursor));
      const rows = await q.orderBy('version', 'desc').limit(query.limit + 1).execute();
      const items = rows.slice(0, query.limit).map(rowToVersion);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > query.limit && last ? encodeVersionCursor(last.version) : null };
    },
  };
}
