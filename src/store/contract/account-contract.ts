/** The store contract for accounts: ping, migrate, round trips, the default account, policy. */
import { describe, expect, it } from 'vitest';
import { defaultAccountPolicy, type AccountId, type AccountRecord } from '../../core/types.js';
import { StoreConflictError, type Store } from '../store.js';
import { makeAccount, emptyStore } from './fixtures.js';

export function runAccountContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store, acc: AccountRecord, other: AccountRecord;
    emptyStore(makeStore, (...fresh) => ([store, acc, other] = fresh));
    const seedAccounts = async (): Promise<void> => {
      await store.insertAccount(acc);
      await store.insertAccount(other);
    };

    describe('basics', () => {
      it('names its kind and answers ping', async () => {
        expect(['sqlite', 'postgres']).toContain(store.kind);
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('migrate is idempotent', async () => {
        await store.migrate();
        await seedAccounts();
        await store.migrate();
        expect(await store.getAccount(acc.id)).toStrictEqual(acc);
      });
    });

    describe('accounts', () => {
      it('round-trips an account, policy included', async () => {
        const policy = { ...defaultAccountPolicy, permissionsEditable: true, maxLifetimeSeconds: 86_400 };
        const account = makeAccount({ name: 'Ünïcode "quoted"', tokenPrefix: 'acme', policy });
        await store.insertAccount(account);
        expect(await store.getAccount(account.id)).toStrictEqual(account);
        expect(await store.getAccount('acc_missing' as AccountId)).toBeUndefined();
      });

      it('refuses a duplicate account id', async () => {
        await store.insertAccount(acc);
        await expect(store.insertAccount({ ...acc, name: 'again' })).rejects.toBeInstanceOf(StoreConflictError);
        expect((await store.getAccount(acc.id))?.name).toBe('Main');
      });

      it('getDefaultAccount is undefined when empty, then the oldest account', async () => {
        expect(await store.getDefaultAccount()).toBeUndefined();
        await store.insertAccount(other);
        await store.insertAccount(acc);
        expect(await store.getDefaultAccount()).toStrictEqual(acc);
      });

      it('updateAccountPolicy replaces only the policy', async () => {
        await seedAccounts();
        const policy = { ...defaultAccountPolicy, allowAppScheme: true, maxLifetimeSeconds: 60 };
        await store.updateAccountPolicy(acc.id, policy);
        expect(await store.getAccount(acc.id)).toStrictEqual({ ...acc, policy });
        expect(await store.getAccount(other.id)).toStrictEqual(other);
      });
    });
  });
}
