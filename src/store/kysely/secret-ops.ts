/** Secret hashes: lookup with their token (the verify path's cache miss), rotation overlap, cleanup. */
import type { SecretHash } from '../../core/types.js';
import type { StoreOps } from '../store.js';
import { conflictAs, type Db } from './db-helpers.js';
import type { DialectHooks } from './dialect-hooks.js';
import type { StoreChanges } from './store-changes.js';
import { rowToToken, secretToRow } from './row-mapping.js';

type SecretOps = Pick<
  StoreOps,
  'findSecret' | 'insertSecret' | 'expireSecrets' | 'deleteExpiredSecrets' | 'listSecretHashes'
>;

export function secretOps(db: Db, hooks: DialectHooks, changes: StoreChanges): SecretOps {
  return {
    async findSecret(hash) {
      // One primary-key probe joined to the token's primary key: this runs on every verify cache miss.
      const row = await db
        .selectFrom('token_secrets as s')
        .innerJoin('tokens as t', (join) => join.onRef('t.account_id', '=', 's.account_id').onRef('t.id', '=', 's.token_id'))
        .selectAll('t')
        .select(['s.hash as secret_hash', 's.created_at as secret_created_at', 's.expires_at as secret_expires_at'])
        .where('s.hash', '=', hash)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const { secret_hash, secret_created_at, secret_expires_at, ...tokenRow } = row;
      const token = rowToToken(tokenRow);
      return {
        token,
        secret: {
          hash: secret_hash as SecretHash,
          tokenId: token.id,
          accountId: token.accountId,
          createdAt: secret_created_at,
          expiresAt: secret_expires_at,
        },
      };
    },

    async insertSecret(secret) {
      await conflictAs(hooks, 'secret hash', () => db.insertInto('token_secrets').values(secretToRow(secret)).execute());
      await changes.notify(db, { accountId: secret.accountId, tokenId: secret.tokenId, secretHash: secret.hash });
    },

    async expireSecrets(accountId, tokenId, expiresAt) {
      await db
        .updateTable('token_secrets')
        .set({ expires_at: expiresAt })
        .where('account_id', '=', accountId)
        .where('token_id', '=', tokenId)
        .where('expires_at', 'is', null)
        .execute();
    },

    async deleteExpiredSecrets(now) {
      const result = await db
        .deleteFrom('token_secrets')
        .where('expires_at', 'is not', null)
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async listSecretHashes(accountId, tokenId) {
      const rows = await db
        .selectFrom('token_secrets')
        .select('hash')
        .where('account_id', '=', accountId)
        .where('token_id', '=', tokenId)
        .orderBy('created_at')
        .orderBy('hash')
        .execute();
      return rows.map((row) => row.hash as SecretHash);
    },
  };
}
