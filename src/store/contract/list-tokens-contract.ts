/** The store contract for listing tokens: filters, order, cursors. */
import { describe, expect, it } from 'vitest';
import type { AccountRecord } from '../../core/types.js';
import type { Store } from '../store.js';
import { at, storeWithAccounts, makeToken, listOrder, insertTokens, expectBadCursor, badCursors } from './fixtures.js';

export function runListTokensContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store, acc: AccountRecord, other: AccountRecord;
    storeWithAccounts(makeStore, (...fresh) => ([store, acc, other] = fresh));

    describe('listTokens', () => {
      const now = at(100);

      it('filters by status at the given time', async () => {
        await insertTokens(store, [
          makeToken(acc.id, 'plain'),
          makeToken(acc.id, 'future_expiry', { expiresAt: at(101) }),
          makeToken(acc.id, 'not_yet_valid', { validFrom: at(200) }),
          makeToken(acc.id, 'expired_now', { expiresAt: now }),
          makeToken(acc.id, 'expired', { expiresAt: at(50) }),
          makeToken(acc.id, 'disabled', { enabled: false }),
          makeToken(acc.id, 'revoked', { revokedAt: at(60) }),
          makeToken(other.id, 'foreign'),
        ]);
        const ids = async (status: 'active' | 'inactive' | 'all'): Promise<string[]> =>
          (await store.listTokens({ accountId: acc.id, status, now, limit: 100 })).items.map((t) => t.id).sort();
        expect(await ids('active')).toEqual(['future_expiry', 'not_yet_valid', 'plain']);
        expect(await ids('inactive')).toEqual(['disabled', 'expired', 'expired_now', 'revoked']);
        expect(await ids('all')).toHaveLength(7);
      });

      it('searches a case-insensitive substring of the name, wildcards taken literally', async () => {
        await insertTokens(store, [
          makeToken(acc.id, 't1', { name: 'Prod_Deploy' }),
          makeToken(acc.id, 't2', { name: 'prodXdeploy' }),
          makeToken(acc.id, 't3', { name: '100% CPU' }),
          makeToken(acc.id, 't4', { name: 'Ünïcode Öps' }),
          makeToken(other.id, 't5', { name: 'Prod_Deploy' }),
        ]);
        const search = async (text: string): Promise<string[]> =>
          (await store.listTokens({ accountId: acc.id, status: 'all', now, search: text, limit: 100 })).items
            .map((t) => t.id)
            .sort();
        expect(await search('DEPLOY')).toEqual(['t1', 't2']);
        expect(await search('d_d')).toEqual(['t1']);
        expect(await search('0%')).toEqual(['t3']);
        expect(await search('%')).toEqual(['t3']);
        expect(await search('üNÏ')).toEqual(['t4']);
        expect(await search('')).toHaveLength(4);
        expect(await search('nothing')).toEqual([]);
      });

      it('pages newest first over many pages with no duplicates or gaps, ties broken by id', async () => {
        // Ties on createdAt and ids differing only in case: the order must not depend on a collation.
        const ids = ['k', 'K', 'a', 'B', 'b', 'z', 'Z', 'm1', 'm2', 'm10', 'x', 'y', 'A', 'q', 'Q', 'r', 's', 'tt', 'u', 'v', 'w', 'ww', 'n'];
        const tokens = ids.map((id, i) => makeToken(acc.id, `tok_${id}`, { createdAt: at(i % 5) }));
        await insertTokens(store, tokens);
        const expected = [...tokens].sort(listOrder).map((t) => t.id);

        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listTokens({ accountId: acc.id, status: 'all', now, limit: 4, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(4);
          seen.push(...page.items.map((t) => t.id));
          cursor = page.nextCursor ?? undefined;
          pages += 1;
        } while (cursor !== undefined && pages < 50);
        expect(pages).toBe(Math.ceil(tokens.length / 4));
        expect(seen).toEqual(expected);

        const whole = await store.listTokens({ accountId: acc.id, status: 'all', now, limit: 100 });
        expect(whole.items.map((t) => t.id)).toEqual(expected);
        expect(whole.nextCursor).toBeNull();
        expect(whole.items[0]).toStrictEqual(tokens.find((t) => t.id === expected[0]));
      });

      it('pages under a filter and gives no cursor when the last page is exactly full', async () => {
        const tokens = Array.from({ length: 9 }, (_, i) =>
          makeToken(acc.id, `tok_${i}`, { name: i % 3 === 0 ? `Match ${i}` : `other ${i}`, createdAt: at(i), enabled: i !== 6 }),
        );
        await insertTokens(store, tokens);
        const query = { accountId: acc.id, status: 'active' as const, now, search: 'match', limit: 1 };
        const first = await store.listTokens(query);
        expect(first.items.map((t) => t.id)).toEqual(['tok_3']);
        expect(first.nextCursor).not.toBeNull();
        const second = await store.listTokens({ ...query, cursor: first.nextCursor! });
        expect(second.items.map((t) => t.id)).toEqual(['tok_0']);
        expect(second.nextCursor).toBeNull();
        const exact = await store.listTokens({ accountId: acc.id, status: 'all', now, limit: 9 });
        expect(exact.items).toHaveLength(9);
        expect(exact.nextCursor).toBeNull();
      });

      it('refuses an invalid cursor with BAD_REQUEST on the cursor field', async () => {
        for (const cursor of badCursors) {
          await expectBadCursor(store.listTokens({ accountId: acc.id, status: 'all', now, limit: 10, cursor }));
        }
      });
    });
  });
}
