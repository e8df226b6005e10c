/** The store contract for catalog versions and JWT signing keys. */
import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../core/errors.js';
import type { AccountId, AccountRecord, TokenId } from '../../core/types.js';
import { StoreConflictError, type CatalogVersionRecord, type SigningKeyRecord, type Store } from '../store.js';
import { at, storeWithAccounts } from './fixtures.js';

export function runCatalogAndKeyContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}: catalog versions and signing keys`, () => {
    let store: Store;
    let acc: AccountRecord;
    let other: AccountRecord;

    storeWithAccounts(makeStore, (s, a, o) => {
      store = s;
      acc = a;
      other = o;
    });

    describe('catalog versions', () => {
      const version = (accountId: AccountId, n: number): CatalogVersionRecord => ({
        accountId,
        version: n,
        name: `catalog ${n}`,
        format: n % 2 === 0 ? 'json' : 'yaml',
        source: `version: 1\nname: "catalog ${n}" # ünïcode kept as written\n`,
        createdAt: at(n),
        createdBy: n === 1 ? null : ('tok_admin' as TokenId),
      });

      it('keeps every version, answers the latest or a given one, and refuses a duplicate number', async () => {
        expect(await store.getCatalogVersion(acc.id)).toBeUndefined();
        for (const n of [1, 2, 3]) await store.insertCatalogVersion(version(acc.id, n));
        await store.insertCatalogVersion(version(other.id, 1));
        expect(await store.getCatalogVersion(acc.id)).toStrictEqual(version(acc.id, 3));
        expect(await store.getCatalogVersion(acc.id, 2)).toStrictEqual(version(acc.id, 2));
        expect(await store.getCatalogVersion(acc.id, 9)).toBeUndefined();
        await expect(store.insertCatalogVersion(version(acc.id, 3))).rejects.toBeInstanceOf(StoreConflictError);
      });

      it('lists versions newest first without their source, in pages', async () => {
        for (const n of [1, 2, 3, 4, 5]) await store.insertCatalogVersion(version(acc.id, n));
        const seen: number[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listCatalogVersions({ accountId: acc.id, limit: 2, ...(cursor ? { cursor } : {}) });
          for (const item of page.items) expect(item).not.toHaveProperty('source');
          seen.push(...page.items.map((v) => v.version));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(seen).toEqual([5, 4, 3, 2, 1]);
        await expect(store.listCatalogVersions({ accountId: acc.id, limit: 2, cursor: 'bad!' })).rejects.toBeInstanceOf(TesseraError);
      });
    });

    describe('signing keys', () => {
      const key = (accountId: AccountId, kid: string, minutes: number, overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord => ({
        kid,
        accountId,
        alg: 'EdDSA',
        publicJwk: { kty: 'OKP', crv: 'Ed25519', x: `x-${kid}` },
        privateJwk: { kty: 'OKP', crv: 'Ed25519', x: `x-${kid}`, d: `d-${kid}` },
        createdAt: at(minutes),
        retiredAt: null,
        notAfter: null,
        ...overrides,
      });

      it('stores keys with their JWKs, finds one by kid, and refuses a duplicate kid', async () => {
        const k = key(acc.id, 'key_one', 1, { alg: 'ES256' });
        await store.insertSigningKey(k);
        expect(await store.getSigningKey('key_one')).toStrictEqual(k);
        expect(await store.getSigningKey('key_none')).toBeUndefined();
        await expect(store.insertSigningKey(key(other.id, 'key_one', 2))).rejects.toBeInstanceOf(StoreConflictError);
      });

      it('retires an account’s current keys only, and lists keys newest first while they still verify', async () => {
        await store.insertSigningKey(key(acc.id, 'key_a1', 1));
        await store.insertSigningKey(key(acc.id, 'key_a2', 2));
        await store.insertSigningKey(key(other.id, 'key_b1', 3));
        expect((await store.retireSigningKeys(acc.id, at(10), at(20))).sort()).toEqual(['key_a1', 'key_a2']);
        await store.insertSigningKey(key(acc.id, 'key_a3', 11));
        expect(await store.retireSigningKeys(acc.id, at(12), at(30))).toEqual(['key_a3']);
        expect(await store.getSigningKey('key_a1')).toMatchObject({ retiredAt: at(10), notAfter: at(20) });
        expect(await store.getSigningKey('key_b1')).toMatchObject({ retiredAt: null, notAfter: null });

        expect((await store.listSigningKeys({ accountId: acc.id, now: at(15) })).map((k) => k.kid)).toEqual(['key_a3', 'key_a2', 'key_a1']);
        // At notAfter the key no longer verifies.
        expect((await store.listSigningKeys({ accountId: acc.id, now: at(20) })).map((k) => k.kid)).toEqual(['key_a3']);
        expect((await store.listSigningKeys({ now: at(25) })).map((k) => k.kid)).toEqual(['key_a3', 'key_b1']);
      });
    });
  });
}
