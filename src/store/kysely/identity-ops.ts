/** Identities (issue 19): rows of `identities`, and the tokens that point at one. */
import type { AccountId, TokenId } from '../../core/types.js';
import type { IdentityRecord, RateLimitRule } from '../../core/usage-limits.js';
import type { IdentityOps } from '../identity-store.js';
import { decodeTokenCursor, encodeTokenCursor } from './cursor.js';
import { checkLimit, conflictAs, type Db } from './db-helpers.js';
import type { DialectHooks } from './dialect-hooks.js';
import type { IdentitiesTable } from './schema.js';
import type { StoreChanges } from './store-changes.js';
import { columnsToCredits, creditsToColumns } from './credit-ops.js';

/** Every column but the credits' balance (written by credit-ops.ts), which `identityToRow` adds for an insert. */
function identityColumns(identity: IdentityRecord): Omit<IdentitiesTable, 'credits_remaining' | 'credits_refilled_at' | 'credits'> {
  return {
    account_id: identity.accountId,
    id: identity.id,
    external_id: identity.externalId,
    name: identity.name,
    metadata: JSON.stringify(identity.metadata),
    limits: JSON.stringify(identity.limits),
    created_at: identity.createdAt,
    updated_at: identity.updatedAt,
    version: identity.version,
  };
}

function identityToRow(identity: IdentityRecord): IdentitiesTable {
  return { ...identityColumns(identity), ...creditsToColumns(identity.credits) };
}

function rowToIdentity(row: IdentitiesTable): IdentityRecord {
  return {
    id: row.id,
    accountId: row.account_id as AccountId,
    externalId: row.external_id,
    name: row.name,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    limits: JSON.parse(row.limits) as RateLimitRule[],
    credits: columnsToCredits(row),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

export function identityOps(db: Db, hooks: DialectHooks, changes: StoreChanges): IdentityOps {
  const changed = (trx: Db, identity: { accountId: AccountId; id: string }) =>
    changes.notify(trx, { accountId: identity.accountId, kind: 'identity', identityId: identity.id });
  return {
    async insertIdentity(identity) {
      await changes.transaction(db, async (trx) => {
        await conflictAs(hooks, 'identity id or external id', () => trx.insertInto('identities').values(identityToRow(identity)).execute());
        await changed(trx, identity);
      });
    },

    async getIdentity(accountId, id) {
      let q = db.selectFrom('identities').selectAll().where('account_id', '=', accountId).where('id', '=', id);
      // Inside a transaction the caller is about to check and write it (an edit, a credits change): a concurrent
      // flush of consumed credits waits, then subtracts from what this one wrote.
      if (db.isTransaction && hooks.lockRowsOnRead) q = q.forUpdate();
      const row = await q.executeTakeFirst();
      return row === undefined ? undefined : rowToIdentity(row);
    },

    async listIdentities(query) {
      const limit = checkLimit(query.limit);
      let q = db.selectFrom('identities').selectAll().where('account_id', '=', query.accountId);
      if (query.externalId !== undefined) q = q.where('external_id', '=', query.externalId);
      if (query.cursor !== undefined) {
        const after = decodeTokenCursor(query.cursor);
        q = q.where((eb) =>
          eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]),
        );
      }
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(rowToIdentity);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeTokenCursor({ createdAt: last.createdAt, id: last.id }) : null };
    },

    async updateIdentity(identity) {
      return changes.transaction(db, async (trx) => {
        const { account_id: _a, id: _i, ...columns } = identityColumns(identity);
        const result = await conflictAs(hooks, 'external id', () =>
          trx.updateTable('identities').set(columns).where('account_id', '=', identity.accountId).where('id', '=', identity.id).executeTakeFirst(),
        );
        if (result.numUpdatedRows === 0n) return false;
        await changed(trx, identity);
        return true;
      });
    },

    async deleteIdentity(accountId, id, at) {
      return changes.transaction(db, async (trx) => {
        const gone = await trx.deleteFrom('identities').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
        if (gone.numDeletedRows === 0n) return undefined;
        const tokens = await trx
          .updateTable('tokens')
          .set((eb) => ({ identity_id: null, updated_at: at, version: eb('version', '+', 1) }))
          .where('account_id', '=', accountId)
          .where('identity_id', '=', id)
          .returning('id')
          .execute();
        await changed(trx, { accountId, id });
        for (const token of tokens) await changes.notify(trx, { accountId, tokenId: token.id as TokenId });
        return tokens.map((t) => t.id as TokenId);
      });
    },
  };
}
