/** Every `StoreOps` method over one Kysely handle, so the store and its transactions share one implementation. */
import type { StoreOps } from '../store.js';
import { auditOps } from './audit-ops.js';
import { catalogOps } from './catalog-ops.js';
import { conflictAs, inTransaction, type Db } from './db-helpers.js';
import type { DialectHooks } from './dialect-hooks.js';
import { accountToRow, rowToAccount } from './row-mapping.js';
import { secretOps } from './secret-ops.js';
import { tokenOps } from './token-ops.js';

type AccountAndUsageOps = Pick<
  StoreOps,
  'insertAccount' | 'getAccount' | 'getDefaultAccount' | 'updateAccountPolicy' | 'applyUsage'
>;

function accountAndUsageOps(db: Db, hooks: DialectHooks): AccountAndUsageOps {
  return {
    async insertAccount(account) {
      await conflictAs(hooks, 'account id', () => db.insertInto('accounts').values(accountToRow(account)).execute());
    },

    async getAccount(id) {
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : rowToAccount(row);
    },

    async getDefaultAccount() {
      const row = await db.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
      return row === undefined ? undefined : rowToAccount(row);
    },

    async updateAccountPolicy(id, policy) {
      await db.updateTable('accounts').set({ policy: JSON.stringify(policy) }).where('id', '=', id).execute();
    },

    async applyUsage(deltas) {
      if (deltas.length === 0) return;
      await inTransaction(db, async (trx) => {
        for (const delta of deltas) {
          // CASE rather than SQLite's max() / PostgreSQL's greatest(): the same text on both, NULL-safe,
          // and a batch flushed late never moves `last_used_at` backward.
          await trx
            .updateTable('tokens')
            .set((eb) => ({
              use_count: eb('use_count', '+', delta.count),
              last_used_at: eb
                .case()
                .when(eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', delta.lastUsedAt)]))
                .then(delta.lastUsedAt)
                .else(eb.ref('last_used_at'))
                .end(),
            }))
            .where('account_id', '=', delta.accountId)
            .where('id', '=', delta.tokenId)
            .execute();
        }
      });
    },
  };
}

export function createStoreOps(db: Db, hooks: DialectHooks): StoreOps {
  return { ...accountAndUsageOps(db, hooks), ...tokenOps(db, hooks), ...secretOps(db, hooks), ...auditOps(db, hooks), ...catalogOps(db, hooks) };
}
