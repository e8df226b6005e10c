/** Signing keys of issued JWTs: inserted per account, retired on rotation, listed while they still verify. */
import type { AccountId } from '../../core/types.js';
import type { SigningKeyRecord, StoreOps } from '../store.js';
import { conflictAs, inTransaction, type Db } from './db-helpers.js';
import type { DialectHooks } from './dialect-hooks.js';
import type { SigningKeysTable } from './schema.js';

type KeyOps = Pick<StoreOps, 'insertSigningKey' | 'getSigningKey' | 'listSigningKeys' | 'retireSigningKeys'>;

function rowToKey(row: SigningKeysTable): SigningKeyRecord {
  return {
    kid: row.kid,
    accountId: row.account_id as AccountId,
    alg: row.alg === 'ES256' ? 'ES256' : 'EdDSA',
    publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
    privateJwk: JSON.parse(row.private_jwk) as Record<string, unknown>,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
    notAfter: row.not_after,
  };
}

export function keyOps(db: Db, hooks: DialectHooks): KeyOps {
  return {
    async insertSigningKey(key) {
      await conflictAs(hooks, 'signing key id', () =>
        db
          .insertInto('signing_keys')
          .values({
            kid: key.kid,
            account_id: key.accountId,
            alg: key.alg,
            public_jwk: JSON.stringify(key.publicJwk),
            private_jwk: JSON.stringify(key.privateJwk),
            created_at: key.createdAt,
            retired_at: key.retiredAt,
            not_after: key.notAfter,
          })
          .execute(),
      );
    },

    async getSigningKey(kid) {
      const row = await db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst();
      return row === undefined ? undefined : rowToKey(row);
    },

    async listSigningKeys({ accountId, now }) {
      let q = db
        .selectFrom('signing_keys')
        .selectAll()
        .where((eb) => eb.or([eb('not_after', 'is', null), eb('not_after', '>', now)]));
      if (accountId !== undefined) q = q.where('account_id', '=', accountId);
      const rows = await q.orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
      return rows.map(rowToKey);
    },

    async retireSigningKeys(accountId, retiredAt, notAfter) {
      return inTransaction(db, async (trx) => {
        const rows = await trx
          .selectFrom('signing_keys')
          .select('kid')
          .where('account_id', '=', accountId)
          .where('retired_at', 'is', null)
          .execute();
        if (rows.length === 0) return [];
        await trx
          .updateTable('signing_keys')
          .set({ retired_at: retiredAt, not_after: notAfter })
          .where('account_id', '=', accountId)
          .where('retired_at', 'is', null)
          .execute();
        return rows.map((r) => r.kid);
      });
    },
  };
}
