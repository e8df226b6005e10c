/** Every `StoreOps` method over one Kysely handle, so the store and its transactions share one implementation. */
import type { StoreOps } from '../store.js';
import { auditOps } from './audit-ops.js';
import { catalogOps } from './catalog-ops.js';
import { conflictAs, type Db } from './db-helpers.js';
import type { DialectHooks } from './dialect-hooks.js';
import { accountToRow, rowToAccount } from './row-mapping.js';
import { endpointOps } from './endpoint-ops.js';
import { identityOps } from './identity-ops.js';
import { creditOps } from './credit-ops.js';
import { rateLimitOps } from './rate-limit-ops.js';
import { keyOps } from './key-ops.js';
import type { StoreChanges } from './store-changes.js';
import { secretOps } from './secret-ops.js';
import { tokenOps } from './token-ops.js';
import { usageOps } from './usage-ops.js';
import { webhookOps } from './webhook-ops.js';

type AccountOps = Pick<StoreOps, 'insertAccount' | 'getAccount' | 'getDefaultAccount' | 'updateAccountPolicy'>;

function accountOps(db: Db, hooks: DialectHooks, changes: StoreChanges): AccountOps {
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
      await changes.transaction(db, async (trx) => {
        await trx.updateTable('accounts').set({ policy: JSON.stringify(policy) }).where('id', '=', id).execute();
        await changes.notify(trx, { accountId: id, kind: 'account' });
      });
    },
  };
}

/** `changes`: the store's change events, shared by the store and every transaction it opens. */
export function createStoreOps(db: Db, hooks: DialectHooks, changes: StoreChanges): StoreOps {
  return {
    ...accountOps(db, hooks, changes),
    ...usageOps(db, hooks),
    ...tokenOps(db, hooks, changes),
    ...secretOps(db, hooks, changes),
    ...auditOps(db, hooks),
    ...catalogOps(db, hooks, changes),
    ...keyOps(db, hooks),
    ...endpointOps(db),
    ...identityOps(db, hooks, changes),
    ...webhookOps(db, hooks),
    ...creditOps(db, hooks, changes),
    ...rateLimitOps(db, hooks),
  };
}
