/** The store contract for identities (issue 19): unique external ids per account, pages, deletion that detaches tokens. */
import { describe, expect, it } from 'vitest';
import type { AccountRecord, TokenId } from '../../core/types.js';
import type { IdentityRecord } from '../../core/usage-limits.js';
import { StoreConflictError, type Store } from '../store.js';
import { at, makeSecret, makeToken, storeWithAccounts } from './fixtures.js';

export function runIdentityContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}: identities`, () => {
    let store: Store;
    let acc: AccountRecord;
    let other: AccountRecord;

    storeWithAccounts(makeStore, (s, a, o) => {
      store = s;
      acc = a;
      other = o;
    });

    const identity = (id: string, minute: number, overrides: Partial<IdentityRecord> = {}): IdentityRecord => ({
      id,
      accountId: acc.id,
      externalId: `ext-${id}`,
      name: null,
      metadata: { n: minute },
      limits: [{ name: 'per-minute', limit: 10, durationMs: 60_000 }],
      credits: null,
      createdAt: at(minute),
      updatedAt: at(minute),
      version: 1,
      ...overrides,
    });

    it('stores identities per account; an external id is unique in its account only', async () => {
      await store.insertIdentity(identity('idn_a', 1));
      await store.insertIdentity(identity('idn_a', 1, { accountId: other.id }));
      expect(await store.getIdentity(acc.id, 'idn_a')).toEqual(identity('idn_a', 1));
      await expect(store.insertIdentity(identity('idn_b', 2, { externalId: 'ext-idn_a' }))).rejects.toBeInstanceOf(StoreConflictError);
      await store.insertIdentity(identity('idn_b', 2));
      await expect(store.updateIdentity(identity('idn_b', 2, { externalId: 'ext-idn_a' }))).rejects.toBeInstanceOf(StoreConflictError);
      expect(await store.updateIdentity(identity('idn_b', 2, { name: 'B', version: 2 }))).toBe(true);
      expect((await store.getIdentity(acc.id, 'idn_b'))?.name).toBe('B');
      expect(await store.updateIdentity(identity('idn_none', 2))).toBe(false);
      expect(await store.getIdentity(other.id, 'idn_b')).toBeUndefined();
    });

    it('lists newest first with a cursor, or by external id', async () => {
      for (let i = 1; i <= 5; i += 1) await store.insertIdentity(identity(`idn_${i}`, i));
      const first = await store.listIdentities({ accountId: acc.id, limit: 3 });
      expect(first.items.map((i) => i.id)).toEqual(['idn_5', 'idn_4', 'idn_3']);
      const second = await store.listIdentities({ accountId: acc.id, limit: 3, cursor: first.nextCursor! });
      expect(second).toMatchObject({ nextCursor: null });
      expect(second.items.map((i) => i.id)).toEqual(['idn_2', 'idn_1']);
      expect((await store.listIdentities({ accountId: acc.id, externalId: 'ext-idn_2', limit: 10 })).items.map((i) => i.id)).toEqual(['idn_2']);
      expect((await store.listIdentities({ accountId: other.id, limit: 10 })).items).toEqual([]);
    });

    it('deletes an identity and detaches its tokens (cleared, version bumped, each change told)', async () => {
      await store.insertIdentity(identity('idn_x', 1));
      const owned = makeToken(acc.id, 'tok_owned', { identityId: 'idn_x', limits: [{ name: 'ps', limit: 5, durationMs: 1000 }] });
      const free = makeToken(acc.id, 'tok_free');
      await store.insertToken(owned, makeSecret(owned, 'owned'));
      await store.insertToken(free, makeSecret(free, 'free'));
      expect(await store.getToken(acc.id, 'tok_owned' as TokenId)).toEqual(owned);
      const ofIdentity = (identityId: string) => store.listTokens({ accountId: acc.id, status: 'all', now: at(9), identityId, limit: 10 });
      expect((await ofIdentity('idn_x')).items.map((t) => t.id)).toEqual(['tok_owned']);
      const heard: unknown[] = [];
      const stop = store.onChange((change) => heard.push(change));
      expect(await store.deleteIdentity(acc.id, 'idn_x', at(9))).toEqual(['tok_owned']);
      stop();
      expect(await store.getIdentity(acc.id, 'idn_x')).toBeUndefined();
      expect(await store.getToken(acc.id, 'tok_owned' as TokenId)).toMatchObject({ identityId: null, version: 2, updatedAt: at(9), limits: owned.limits });
      expect(heard).toEqual([{ accountId: acc.id, kind: 'identity', identityId: 'idn_x' }, { accountId: acc.id, tokenId: 'tok_owned' }]);
      expect(await store.deleteIdentity(acc.id, 'idn_x', at(9))).toBeUndefined();
      expect((await ofIdentity('idn_x')).items).toEqual([]);
    });
  });
}
