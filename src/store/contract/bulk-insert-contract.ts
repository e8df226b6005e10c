/** The store contract for `insertTokens`: many tokens in chunked multi-row inserts, all or none. */
import { describe, expect, it } from 'vitest';
import type { AccountRecord, TokenId, TokenRecord, TokenSecretRecord } from '../../core/types.js';
import { StoreConflictError, type Store, type StoreChange } from '../store.js';
import { at, makeSecret, makeToken, storeWithAccounts } from './fixtures.js';

type Item = { token: TokenRecord; secret: TokenSecretRecord };

/** More rows than one insert chunk (500), so a batch spans several statements. */
const MANY = 1200;

export function runBulkInsertContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}: bulk token insert`, () => {
    let store: Store;
    let acc: AccountRecord;

    storeWithAccounts(makeStore, (s, a) => {
      store = s;
      acc = a;
    });

    /** Items whose fields differ row to row, so a column shifted between rows or chunks would show. */
    const batch = (prefix: string, n = MANY): Item[] =>
      Array.from({ length: n }, (_, i) => {
        const token = makeToken(acc.id, `tok_${prefix}_${i}`, {
          name: `bulk ${prefix} ${i}`,
          description: i % 3 === 0 ? null : `row ${i}`,
          createdAt: at(i),
          updatedAt: at(i + 1),
          expiresAt: i % 2 === 0 ? null : at(100_000 + i),
          enabled: i % 5 !== 0,
          useCount: i,
          lastUsedAt: i % 4 === 0 ? null : at(i + 2),
          metadata: { i },
          version: 1 + (i % 7),
        });
        return { token, secret: makeSecret(token, `${prefix}/${i}`) };
      });

    /** None of the items' tokens or secrets is in the store. */
    const expectNoneOf = async (items: Item[]): Promise<void> => {
      for (const { token, secret } of items) {
        if ((await store.getToken(acc.id, token.id)) !== undefined) throw new Error(`${token.id} was inserted`);
        if ((await store.findSecret(secret.hash)) !== undefined) throw new Error(`secret of ${token.id} was inserted`);
      }
    };

    it('inserts tokens across several chunks, each readable and found by its secret hash', async () => {
      const items = batch('many');
      await store.insertTokens(items);
      expect(await store.countTokens(acc.id)).toBe(MANY);
      for (const { token, secret } of items) {
        expect(await store.findSecret(secret.hash)).toStrictEqual({ token, secret });
      }
      expect(await store.getToken(acc.id, items[MANY - 1]!.token.id)).toStrictEqual(items[MANY - 1]!.token);
      expect((await store.listTokens({ accountId: acc.id, status: 'all', now: at(0), limit: 1 })).items).toStrictEqual([
        items[MANY - 1]!.token,
      ]);
    });

    it('does nothing for an empty batch', async () => {
      await expect(store.insertTokens([])).resolves.toBeUndefined();
      await store.transaction((tx) => tx.insertTokens([]));
      expect(await store.countTokens(acc.id)).toBe(0);
    });

    it('refuses an id the store already has, and inserts none of the batch', async () => {
      const existing = makeToken(acc.id, 'tok_taken', { name: 'existing' });
      await store.insertToken(existing, makeSecret(existing, 'existing'));
      const items = batch('clash');
      // In the second chunk, so the first chunk's rows were written before the conflict.
      items[700] = { token: { ...items[700]!.token, id: existing.id }, secret: { ...items[700]!.secret, tokenId: existing.id } };
      await expect(store.insertTokens(items)).rejects.toBeInstanceOf(StoreConflictError);
      expect(await store.countTokens(acc.id)).toBe(1);
      expect(await store.getToken(acc.id, existing.id)).toStrictEqual(existing);
      await expectNoneOf(items.filter((item) => item.token.id !== existing.id));
    });

    it('refuses an id given twice in the batch, and inserts none of it', async () => {
      const items = batch('twice');
      const first = items[0]!.token;
      items.push({ token: { ...first, name: 'again' }, secret: makeSecret(first, 'again') });
      await expect(store.insertTokens(items)).rejects.toBeInstanceOf(StoreConflictError);
      expect(await store.countTokens(acc.id)).toBe(0);
      await expectNoneOf(items);
    });

    it('refuses a secret hash that is taken, in the store or in the batch, and inserts none of the batch', async () => {
      const existing = makeToken(acc.id, 'tok_holder');
      const taken = makeSecret(existing, 'taken');
      await store.insertToken(existing, taken);

      const clashWithStore = batch('hash');
      clashWithStore[900] = { ...clashWithStore[900]!, secret: { ...taken, tokenId: clashWithStore[900]!.token.id } };
      await expect(store.insertTokens(clashWithStore)).rejects.toBeInstanceOf(StoreConflictError);
      expect((await store.findSecret(taken.hash))?.token).toStrictEqual(existing);

      const clashInBatch = batch('pair');
      clashInBatch[600] = { ...clashInBatch[600]!, secret: { ...clashInBatch[10]!.secret, tokenId: clashInBatch[600]!.token.id } };
      await expect(store.insertTokens(clashInBatch)).rejects.toBeInstanceOf(StoreConflictError);

      expect(await store.countTokens(acc.id)).toBe(1);
      await expectNoneOf([...clashWithStore.slice(0, 900), ...clashInBatch]);
    });

    it('tells its change listeners of every token and its secret, once the batch commits, and nothing of a refused batch', async () => {
      const heard: StoreChange[] = [];
      const stop = store.onChange((change) => heard.push(change));
      try {
        const items = batch('told', 600);
        await store.insertTokens(items);
        // The same change a single insert tells: the secret may be remembered as unknown by a cache.
        expect(heard).toStrictEqual(items.map(({ token, secret }) => ({ accountId: acc.id, tokenId: token.id, secretHash: secret.hash })));

        heard.length = 0;
        const refused = batch('refused', 600);
        refused[550] = { ...refused[550]!, secret: { ...items[0]!.secret, tokenId: refused[550]!.token.id } };
        await expect(store.insertTokens(refused)).rejects.toBeInstanceOf(StoreConflictError);
        await expect(
          store.transaction(async (tx) => {
            await tx.insertTokens(batch('undone', 3));
            // Nothing is told while the caller's transaction is open, and nothing when it rolls back.
            expect(heard).toHaveLength(0);
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        expect(heard).toHaveLength(0);
      } finally {
        stop();
      }
    });

    it("joins the caller's transaction: rolled back with it", async () => {
      const items = batch('tx', 600);
      await expect(
        store.transaction(async (tx) => {
          await tx.insertTokens(items);
          expect(await tx.countTokens(acc.id)).toBe(600);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await store.countTokens(acc.id)).toBe(0);
      expect(await store.findSecret(items[0]!.secret.hash)).toBeUndefined();

      const after = makeToken(acc.id, 'tok_after');
      await store.transaction(async (tx) => {
        await tx.insertTokens(items);
        await tx.insertToken(after, makeSecret(after, 'after'));
      });
      expect(await store.countTokens(acc.id)).toBe(601);
      expect(await store.getToken(acc.id, 'tok_tx_599' as TokenId)).toStrictEqual(items[599]!.token);
    });
  });
}
