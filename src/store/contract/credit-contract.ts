/** The store contract for credits (issue 19): balances beside the records, deltas of a period, strict conditional spending. */
import { describe, expect, it } from 'vitest';
import type { CreditsRecord } from '../../core/credits.js';
import type { AccountRecord, TokenId } from '../../core/types.js';
import type { CreditKey } from '../credit-store.js';
import { creditKeyOf } from '../credit-store.js';
import type { Store } from '../store.js';
import { at, makeSecret, makeToken, storeWithAccounts } from './fixtures.js';

const HOUR = 3_600_000;

export function runCreditContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}: credits`, () => {
    let store: Store;
    let acc: AccountRecord;

    storeWithAccounts(makeStore, (s, a) => {
      store = s;
      acc = a;
    });

    const hourly = (remaining: number, refilledAtMs: number): CreditsRecord => ({ remaining, refill: { amount: 50, intervalMs: HOUR }, strict: false, refilledAtMs });
    const tokenKey = (id: string): CreditKey => ({ accountId: acc.id, holder: 'token', holderId: id });
    const read = async (key: CreditKey) => (await store.readCredits([key])).get(creditKeyOf(key));
    const insert = async (id: string, credits: CreditsRecord | null) => {
      const token = makeToken(acc.id, id, { credits });
      await store.insertToken(token, makeSecret(token, id));
    };

    it('stores credits with the token, and a record’s update never writes the balance back', async () => {
      await insert('tok_c', hourly(10, 5 * HOUR));
      const token = (await store.getToken(acc.id, 'tok_c' as TokenId))!;
      expect(token.credits).toEqual(hourly(10, 5 * HOUR));
      expect(await store.applyCreditDeltas([{ key: tokenKey('tok_c'), periodMs: 5 * HOUR, refillAmount: 50, delta: 4 }])).toEqual([]);
      // A record read before the flush, written back after it: the balance stays what the flush made it.
      await store.updateToken({ ...token, name: 'renamed', version: 2 });
      expect((await store.getToken(acc.id, 'tok_c' as TokenId))!.credits).toEqual(hourly(6, 5 * HOUR));
      expect(await read(tokenKey('tok_c'))).toEqual(hourly(6, 5 * HOUR));
    });

    it('applies a delta to its own period: refills an older balance first, ignores one spent before a newer refill', async () => {
      await insert('tok_r', hourly(10, 5 * HOUR));
      await store.applyCreditDeltas([{ key: tokenKey('tok_r'), periodMs: 6 * HOUR, refillAmount: 50, delta: 3 }]);
      expect(await read(tokenKey('tok_r'))).toEqual(hourly(47, 6 * HOUR));
      await store.applyCreditDeltas([{ key: tokenKey('tok_r'), periodMs: 5 * HOUR, refillAmount: 50, delta: 7 }]);
      expect(await read(tokenKey('tok_r'))).toEqual(hourly(47, 6 * HOUR));
      // A negative delta adds; deltas of a holder without credits change nothing.
      await insert('tok_none', null);
      await store.applyCreditDeltas([
        { key: tokenKey('tok_r'), periodMs: 6 * HOUR, refillAmount: 50, delta: -3 },
        { key: tokenKey('tok_none'), periodMs: 0, refillAmount: null, delta: 5 },
      ]);
      expect(await read(tokenKey('tok_r'))).toEqual(hourly(50, 6 * HOUR));
      expect(await read(tokenKey('tok_none'))).toBeUndefined();
    });

    it('spends strictly: one conditional update, refused (nothing spent) when fewer than the cost are left', async () => {
      await insert('tok_s', { remaining: 5, refill: null, strict: true, refilledAtMs: 0 });
      expect(await store.consumeCredits(tokenKey('tok_s'), 3, 0, null)).toEqual({ remaining: 2 });
      expect(await store.consumeCredits(tokenKey('tok_s'), 3, 0, null)).toEqual({ refused: 2 });
      expect(await store.consumeCredits(tokenKey('tok_s'), 2, 0, null)).toEqual({ remaining: 0 });
      expect(await store.consumeCredits(tokenKey('tok_missing'), 1, 0, null)).toEqual({ refused: 0 });
      await insert('tok_sr', { ...hourly(0, 5 * HOUR), strict: true });
      expect(await store.consumeCredits(tokenKey('tok_sr'), 1, 5 * HOUR, 50)).toEqual({ refused: 0 });
      expect(await store.consumeCredits(tokenKey('tok_sr'), 1, 6 * HOUR, 50)).toEqual({ remaining: 49 });
    });

    it('sets and removes the credits of tokens and identities, and tells the change', async () => {
      await insert('tok_set', null);
      await store.insertIdentity({ id: 'idn_c', accountId: acc.id, externalId: 'c', name: null, metadata: {}, limits: [], credits: null, createdAt: at(1), updatedAt: at(1), version: 1 });
      const heard: unknown[] = [];
      const stop = store.onChange((change) => heard.push(change));
      expect(await store.setCredits(tokenKey('tok_set'), hourly(9, HOUR))).toBe(true);
      expect(await read(tokenKey('tok_set'))).toEqual(hourly(9, HOUR));
      expect(await store.setCredits(tokenKey('tok_set'), null)).toBe(true);
      expect(await read(tokenKey('tok_set'))).toBeUndefined();
      expect(await store.setCredits(tokenKey('tok_nobody'), hourly(1, 0))).toBe(false);
      const identityKey: CreditKey = { accountId: acc.id, holder: 'identity', holderId: 'idn_c' };
      expect(await store.setCredits(identityKey, { remaining: 1000, refill: { amount: 1000, monthlyOn: 1 }, strict: false, refilledAtMs: 0 })).toBe(true);
      expect((await store.getIdentity(acc.id, 'idn_c'))!.credits).toEqual({ remaining: 1000, refill: { amount: 1000, monthlyOn: 1 }, strict: false, refilledAtMs: 0 });
      stop();
      expect(heard).toEqual([
        { accountId: acc.id, tokenId: 'tok_set' },
        { accountId: acc.id, tokenId: 'tok_set' },
        { accountId: acc.id, kind: 'identity', identityId: 'idn_c' },
      ]);
    });

    it('keeps balances beyond 2³¹ exact', async () => {
      await insert('tok_big', { remaining: 900_000_000_000, refill: null, strict: false, refilledAtMs: 0 });
      await store.applyCreditDeltas([{ key: tokenKey('tok_big'), periodMs: 0, refillAmount: null, delta: 1 }]);
      expect((await read(tokenKey('tok_big')))!.remaining).toBe(899_999_999_999);
    });
  });
}
