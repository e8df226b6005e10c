/** The store contract for tokens: every field round-trips, updates by version, descendants. */
import { describe, expect, it } from 'vitest';
import type { AccountRecord, Scope, TokenId, TokenRecord } from '../../core/types.js';
import { StoreConflictError, type Store } from '../store.js';
import { at, storeWithAccounts, makeToken, makeSecret, insertTokens } from './fixtures.js';

export function runTokenContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store, acc: AccountRecord, other: AccountRecord;
    storeWithAccounts(makeStore, (...fresh) => ([store, acc, other] = fresh));

    describe('tokens', () => {
      it('round-trips every field exactly', async () => {
        const full = makeToken(acc.id, 'tok_full', {
          name: 'Deploy bot ✓',
          description: 'Ships "builds"\nnightly',
          profileId: 'user_42',
          scopes: ['message:send', 'device:*:ReadBucket', 'tenant:t1:notification:write'] as Scope[],
          deny: ['device:d9:DeleteDevice'] as Scope[],
          templates: ['sender', 'viewer'],
          createdAt: at(1),
          updatedAt: at(2),
          validFrom: at(3),
          expiresAt: at(60 * 24 * 365),
          allowedIps: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'],
          enabled: false,
          revokedAt: at(4),
          lastUsedAt: at(3),
          useCount: 17,
          createdBy: 'tok_admin' as TokenId,
          parentId: 'tok_parent' as TokenId,
          metadata: { team: 'ops', nested: { list: [1, 2.5, 'x', null, true], empty: {} }, 'key with space': 'ü' },
          version: 7,
        });
        const minimal = makeToken(acc.id, 'tok_min');
        await insertTokens(store, [full, minimal]);
        expect(await store.getToken(acc.id, full.id)).toStrictEqual(full);
        expect(await store.getToken(acc.id, minimal.id)).toStrictEqual(minimal);
        expect(await store.getToken(other.id, full.id)).toBeUndefined();
        expect(await store.getToken(acc.id, 'tok_nope' as TokenId)).toBeUndefined();
      });

      it('refuses a duplicate id in one account and keeps the first token and nothing of the second', async () => {
        const first = makeToken(acc.id, 'tok_dup', { name: 'first' });
        await store.insertToken(first, makeSecret(first, 'one'));
        const second = { ...first, name: 'second' };
        await expect(store.insertToken(second, makeSecret(second, 'two'))).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.getToken(acc.id, first.id)).toStrictEqual(first);
        expect(await store.findSecret(makeSecret(second, 'two').hash)).toBeUndefined();
        expect(await store.countTokens(acc.id)).toBe(1);
      });

      it('allows the same id in two accounts', async () => {
        const mine = makeToken(acc.id, 'tok_same', { name: 'mine' });
        const theirs = makeToken(other.id, 'tok_same', { name: 'theirs' });
        await insertTokens(store, [mine, theirs]);
        expect((await store.getToken(acc.id, mine.id))?.name).toBe('mine');
        expect((await store.getToken(other.id, mine.id))?.name).toBe('theirs');
      });

      it('refuses a duplicate secret hash, atomically', async () => {
        const first = makeToken(acc.id, 'tok_a');
        const secret = makeSecret(first, 'shared');
        await store.insertToken(first, secret);
        const second = makeToken(acc.id, 'tok_b');
        await expect(store.insertToken(second, { ...secret, tokenId: second.id })).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.getToken(acc.id, second.id)).toBeUndefined();
        await expect(store.insertSecret({ ...secret, createdAt: at(9) })).rejects.toBeInstanceOf(StoreConflictError);
        expect((await store.findSecret(secret.hash))?.token.id).toBe(first.id);
      });

      it('updateToken replaces the fields and writes the version as given', async () => {
        const token = makeToken(acc.id, 'tok_u', { metadata: { a: 1 } });
        await insertTokens(store, [token]);
        const changed: TokenRecord = {
          ...token,
          name: 'Renamed',
          description: 'now described',
          profileId: 'p2',
          scopes: ['audit:read'] as Scope[],
          deny: ['audit:read:secret'] as Scope[],
          templates: ['t'],
          hint: 'tsr_NewH…int1',
          updatedAt: at(30),
          validFrom: at(2),
          expiresAt: at(90),
          allowedIps: ['::1'],
          enabled: false,
          revokedAt: at(31),
          parentId: 'tok_p' as TokenId,
          metadata: { b: [2] },
          version: 5,
        };
        expect(await store.updateToken(changed)).toBe(true);
        expect(await store.getToken(acc.id, token.id)).toStrictEqual(changed);
        expect(await store.updateToken(makeToken(acc.id, 'tok_ghost'))).toBe(false);
        expect(await store.getToken(acc.id, 'tok_ghost' as TokenId)).toBeUndefined();
        expect(await store.updateToken({ ...changed, accountId: other.id })).toBe(false);
      });

      it('updateToken never rolls usage counters back', async () => {
        const token = makeToken(acc.id, 'tok_usage');
        await insertTokens(store, [token]);
        await store.applyUsage([{ accountId: acc.id, tokenId: token.id, count: 4, lastUsedAt: at(20) }]);
        await store.updateToken({ ...token, name: 'stale copy', version: 2 });
        expect(await store.getToken(acc.id, token.id)).toMatchObject({ name: 'stale copy', useCount: 4, lastUsedAt: at(20) });
      });

      it('deleteTokens removes tokens and their secrets and reports only what existed', async () => {
        const tokens = ['tok_1', 'tok_2', 'tok_3'].map((id) => makeToken(acc.id, id));
        const foreign = makeToken(other.id, 'tok_1');
        await insertTokens(store, [...tokens, foreign]);
        await store.insertSecret(makeSecret(tokens[0]!, 'second', at(50)));

        const ids = ['tok_3', 'tok_missing', 'tok_1', 'tok_1'] as TokenId[];
        const deleted = await store.deleteTokens(acc.id, ids);
        expect([...deleted].sort()).toEqual(['tok_1', 'tok_3']);
        expect(await store.getToken(acc.id, 'tok_1' as TokenId)).toBeUndefined();
        expect(await store.listSecretHashes(acc.id, 'tok_1' as TokenId)).toEqual([]);
        expect(await store.findSecret(makeSecret(tokens[0]!, 'second').hash)).toBeUndefined();
        expect(await store.getToken(acc.id, 'tok_2' as TokenId)).toBeDefined();
        expect(await store.getToken(other.id, 'tok_1' as TokenId)).toStrictEqual(foreign);
        expect(await store.findSecret(makeSecret(foreign, foreign.id).hash)).toBeDefined();
        expect(await store.deleteTokens(acc.id, [])).toEqual([]);
      });

      it('countTokens counts one account', async () => {
        expect(await store.countTokens(acc.id)).toBe(0);
        await insertTokens(store, [makeToken(acc.id, 'a'), makeToken(acc.id, 'b'), makeToken(other.id, 'a')]);
        expect(await store.countTokens(acc.id)).toBe(2);
        expect(await store.countTokens(other.id)).toBe(1);
      });

      it('listDescendants follows parents over several levels, within one account', async () => {
        const t = (id: string, parentId: string | null, minute: number, accountId = acc.id): TokenRecord =>
          makeToken(accountId, id, { parentId: parentId as TokenId | null, createdAt: at(minute) });
        await insertTokens(store, [
          t('root', null, 1),
          t('a', 'root', 2),
          t('b', 'root', 3),
          t('a1', 'a', 4),
          t('a1x', 'a1', 5),
          t('lone', null, 6),
          t('stranger', 'root', 7, other.id),
        ]);
        const ids = async (id: string): Promise<string[]> =>
          (await store.listDescendants(acc.id, id as TokenId)).map((token) => token.id).sort();
        expect(await ids('root')).toEqual(['a', 'a1', 'a1x', 'b']);
        expect(await ids('a')).toEqual(['a1', 'a1x']);
        expect(await ids('a1x')).toEqual([]);
        expect(await ids('missing')).toEqual([]);
        const [child] = await store.listDescendants(acc.id, 'a1' as TokenId);
        expect(child).toStrictEqual(await store.getToken(acc.id, 'a1x' as TokenId));
      });
    });
  });
}
