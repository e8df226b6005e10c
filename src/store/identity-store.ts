/** The store's part of usage control (issue 19): identities, one per external id in an account. */
import type { AccountId, TokenId } from '../core/types.js';
import type { IdentityRecord } from '../core/usage-limits.js';
import type { Page } from './store.js';

export interface ListIdentitiesQuery {
  accountId: AccountId;
  /** Exact external id: the one identity an operator knows its customer by. */
  externalId?: string;
  limit: number;
  cursor?: string;
}

export interface IdentityOps {
  /** Throws `StoreConflictError` when the id or the external id is taken in the account. */
  insertIdentity(identity: IdentityRecord): Promise<void>;
  getIdentity(accountId: AccountId, id: string): Promise<IdentityRecord | undefined>;
  /** Newest first, with the same cursor as token lists. */
  listIdentities(query: ListIdentitiesQuery): Promise<Page<IdentityRecord>>;
  /** Replaces every field but the key; false when it does not exist; `StoreConflictError` on a taken external id. */
  updateIdentity(identity: IdentityRecord): Promise<boolean>;
  /**
   * Deletes the identity; its tokens keep working without it (their `identityId` is cleared, their version bumped,
   * each change told). Returns those tokens' ids, or `undefined` when the identity did not exist.
   */
  deleteIdentity(accountId: AccountId, id: string, at: string): Promise<TokenId[] | undefined>;
}
