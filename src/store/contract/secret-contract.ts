/** The store contract for secrets: lookup by hash, overlap expiry, deletion. */
import { describe, expect, it } from 'vitest';
import type { AccountRecord } from '../../core/types.js';
import type { Store } from '../store.js';
import { at, hashOf, storeWithAccounts, makeToken, makeSecret, insertTokens } from './fixtures.js';

export function runSecretContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store, acc: AccountRecord, other: AccountRecord;
    storeWithAccounts(makeStore, (...fresh) => ([store, acc, other] = fresh));

    describe('secrets', () => {
      it('findSecret returns the secret and its token, whatever the expiry', async () => {
        const token = makeToken(acc.id, 'tok_s', { metadata: { k: 'v' } });
        const current = makeSecret(token, 'current');
        await store.insertToken(token, current);
        const old = { ...makeSecret(token, 'old', at(0)), createdAt: at(0) };
        await store.insertSecret(old);
        expect(await store.findSecret(current.hash)).toStrictEqual({ secret: current, token });
        expect(await store.findSecret(old.hash)).toStrictEqual({ secret: old, token });
        expect(await store.findSecret(hashOf('unknown'))).toBeUndefined();
      });

      it('expires the current secrets at rotation, lists every hash, deletes only ended overlaps', async () => {
        const token = makeToken(acc.id, 'tok_r');
        const first = makeSecret(token, 'first');
        await store.insertToken(token, first);
        const neighbour = makeToken(acc.id, 'tok_n');
        await insertTokens(store, [neighbour]);

        await store.expireSecrets(acc.id, token.id, at(10));
        const second = { ...makeSecret(token, 'second'), createdAt: at(5) };
        await store.insertSecret(second);
        await store.expireSecrets(acc.id, token.id, at(20));
        const third = { ...makeSecret(token, 'third'), createdAt: at(15) };
        await store.insertSecret(third);

        expect((await store.findSecret(first.hash))?.secret.expiresAt).toBe(at(10));
        expect((await store.findSecret(second.hash))?.secret.expiresAt).toBe(at(20));
        expect((await store.findSecret(third.hash))?.secret.expiresAt).toBeNull();
        expect((await store.findSecret(makeSecret(neighbour, neighbour.id).hash))?.secret.expiresAt).toBeNull();
        expect([...(await store.listSecretHashes(acc.id, token.id))].sort()).toEqual([first.hash, second.hash, third.hash].sort());
        expect(await store.listSecretHashes(other.id, token.id)).toEqual([]);

        expect(await store.deleteExpiredSecrets(at(10))).toBe(1);
        expect(await store.findSecret(first.hash)).toBeUndefined();
        expect(await store.deleteExpiredSecrets(at(15))).toBe(0);
        expect([...(await store.listSecretHashes(acc.id, token.id))].sort()).toEqual([second.hash, third.hash].sort());
        expect(await store.deleteExpiredSecrets(at(1000))).toBe(1);
        expect(await store.listSecretHashes(acc.id, token.id)).toEqual([third.hash]);
      });
    });
  });
}
