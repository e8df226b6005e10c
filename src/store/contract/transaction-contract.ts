/** The store contract for transactions: all writes or none. */
import { describe, expect, it } from 'vitest';
import { defaultAccountPolicy, type AccountRecord } from '../../core/types.js';
import { StoreConflictError, type Store } from '../store.js';
import { at, storeWithAccounts, makeToken, makeSecret, makeDraft, insertTokens } from './fixtures.js';

export function runTransactionContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store, acc: AccountRecord;
    storeWithAccounts(makeStore, (...fresh) => ([store, acc] = fresh));

    describe('transactions', () => {
      it('tells its change listeners of a transaction when it commits, and never of one that rolls back', async () => {
        const heard: unknown[] = [];
        const stop = store.onChange((change) => heard.push(change));
        const kept = makeToken(acc.id, 'tok_told');
        const undone = makeToken(acc.id, 'tok_untold');
        try {
          await store.transaction(async (tx) => {
            await tx.insertToken(kept, makeSecret(kept, 'told'));
            await tx.updateToken({ ...kept, name: 'renamed', version: 2 });
            // Nothing is told while the transaction is open: a listener could otherwise re-read the old state.
            expect(heard).toHaveLength(0);
          });
          expect(heard).toContainEqual(expect.objectContaining({ accountId: acc.id, tokenId: kept.id }));
          const toldForCommit = heard.length;
          await expect(
            store.transaction(async (tx) => {
              await tx.insertToken(undone, makeSecret(undone, 'untold'));
              throw new Error('boom');
            }),
          ).rejects.toThrow('boom');
          expect(heard).toHaveLength(toldForCommit);
          await store.updateToken({ ...kept, name: 'again', version: 3 });
          expect(heard).toHaveLength(toldForCommit + 1);
        } finally {
          stop();
        }
        const toldBeforeStop = heard.length;
        await store.updateToken({ ...kept, name: 'unheard', version: 4 });
        expect(heard).toHaveLength(toldBeforeStop);
        expect(heard.every((change) => (change as { tokenId?: string }).tokenId !== undone.id)).toBe(true);
      });

      it('commits every write and returns the result', async () => {
        const token = makeToken(acc.id, 'tok_tx');
        const result = await store.transaction(async (tx) => {
          await tx.insertToken(token, makeSecret(token, 'tx'));
          await tx.appendAudit(makeDraft(acc.id, { targetId: token.id }));
          await tx.updateToken({ ...token, name: 'renamed', version: 2 });
          return (await tx.getToken(acc.id, token.id))?.name;
        });
        expect(result).toBe('renamed');
        expect(await store.getToken(acc.id, token.id)).toStrictEqual({ ...token, name: 'renamed', version: 2 });
        expect((await store.readAuditChain(acc.id)).events).toHaveLength(1);
      });

      it('rolls everything back when the function throws', async () => {
        await store.appendAudit(makeDraft(acc.id));
        const token = makeToken(acc.id, 'tok_rb');
        const boom = new Error('boom');
        await expect(
          store.transaction(async (tx) => {
            await tx.insertToken(token, makeSecret(token, 'rb'));
            await tx.appendAudit(makeDraft(acc.id, { targetId: token.id }));
            await tx.updateAccountPolicy(acc.id, { ...defaultAccountPolicy, permissionsEditable: true });
            await tx.applyUsage([{ accountId: acc.id, tokenId: token.id, count: 1, lastUsedAt: at(9) }]);
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(await store.getToken(acc.id, token.id)).toBeUndefined();
        expect(await store.findSecret(makeSecret(token, 'rb').hash)).toBeUndefined();
        expect(await store.getAccount(acc.id)).toStrictEqual(acc);
        const chain = await store.readAuditChain(acc.id);
        expect(chain.events).toHaveLength(1);
        expect(chain.head?.seq).toBe(1);
        expect((await store.appendAudit(makeDraft(acc.id))).seq).toBe(2);
      });

      it('rolls back earlier writes when a conflict aborts the transaction', async () => {
        const existing = makeToken(acc.id, 'tok_taken');
        await insertTokens(store, [existing]);
        const fresh = makeToken(acc.id, 'tok_fresh');
        await expect(
          store.transaction(async (tx) => {
            await tx.insertToken(fresh, makeSecret(fresh, 'fresh'));
            await tx.insertToken(existing, makeSecret(existing, 'again'));
          }),
        ).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.getToken(acc.id, fresh.id)).toBeUndefined();
        expect(await store.countTokens(acc.id)).toBe(1);
      });
    });
  });
}
