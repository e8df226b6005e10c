/** The store contract for the integration platform's endpoint tokens: endpoint settings, assignments, secondary listings. */
import { describe, expect, it } from 'vitest';
import type { AccountRecord, Scope, TokenId } from '../../core/types.js';
import type { EndpointSettingsRecord, Store } from '../store.js';
import { at, makeSecret, makeToken, storeWithAccounts } from './fixtures.js';

export function runEndpointContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}: endpoint tokens`, () => {
    let store: Store;
    let acc: AccountRecord;
    let other: AccountRecord;

    storeWithAccounts(makeStore, (s, a, o) => {
      store = s;
      acc = a;
      other = o;
    });

    const settings = (overrides: Partial<EndpointSettingsRecord> = {}): EndpointSettingsRecord => ({
      accountId: acc.id,
      endpointId: 'orders',
      mode: 'token',
      allowDelete: false,
      primaries: { POST: 'tok_p' as TokenId, GET: 'tok_g' as TokenId },
      updatedAt: at(1),
      ...overrides,
    });

    const secondary = async (id: string, minute: number, overrides: Parameters<typeof makeToken>[2] = {}) => {
      const token = makeToken(acc.id, id, { kind: 'secondary', createdAt: at(minute), scopes: [] as Scope[], ...overrides });
      await store.insertToken(token, makeSecret(token, id));
      return token;
    };

    it('stores settings per account and endpoint, replacing them on put', async () => {
      expect(await store.getEndpointSettings(acc.id, 'orders')).toBeUndefined();
      await store.putEndpointSettings(settings());
      await store.putEndpointSettings(settings({ accountId: other.id, mode: 'internal' }));
      expect(await store.getEndpointSettings(acc.id, 'orders')).toEqual(settings());
      const changed = settings({ allowDelete: true, primaries: { POST: 'tok_p' as TokenId, GET: 'tok_g' as TokenId, DELETE: 'tok_d' as TokenId }, updatedAt: at(2) });
      await store.putEndpointSettings(changed);
      expect(await store.getEndpointSettings(acc.id, 'orders')).toEqual(changed);
      expect((await store.getEndpointSettings(other.id, 'orders'))?.mode).toBe('internal');
      await store.putEndpointSettings(settings({ endpointId: 'customers', mode: 'none', primaries: {} }));
      expect((await store.listEndpointSettings(acc.id)).map((s) => s.endpointId)).toEqual(['customers', 'orders']);
    });

    it('replaces a token’s assignments and lists them by token or by endpoint; deleting the token removes them', async () => {
      await secondary('tok_a', 1);
      await secondary('tok_b', 2);
      await store.replaceAssignments(acc.id, 'tok_a' as TokenId, [{ endpointId: 'orders', method: 'POST' }, { endpointId: 'orders', method: 'GET' }]);
      await store.replaceAssignments(acc.id, 'tok_b' as TokenId, [{ endpointId: 'orders', method: 'POST' }, { endpointId: 'invoices', method: 'GET' }]);
      expect(await store.listAssignments({ accountId: acc.id, tokenId: 'tok_a' as TokenId })).toEqual([
        { tokenId: 'tok_a', endpointId: 'orders', method: 'GET' },
        { tokenId: 'tok_a', endpointId: 'orders', method: 'POST' },
      ]);
      expect(await store.listAssignments({ accountId: acc.id, endpointId: 'orders' })).toEqual([
        { tokenId: 'tok_a', endpointId: 'orders', method: 'GET' },
        { tokenId: 'tok_a', endpointId: 'orders', method: 'POST' },
        { tokenId: 'tok_b', endpointId: 'orders', method: 'POST' },
      ]);
      await store.replaceAssignments(acc.id, 'tok_a' as TokenId, [{ endpointId: 'orders', method: 'GET' }]);
      expect((await store.listAssignments({ accountId: acc.id, tokenId: 'tok_a' as TokenId })).map((a) => a.method)).toEqual(['GET']);
      await store.replaceAssignments(acc.id, 'tok_a' as TokenId, []);
      expect(await store.listAssignments({ accountId: acc.id, tokenId: 'tok_a' as TokenId })).toEqual([]);
      expect(await store.listAssignments({ accountId: other.id, endpointId: 'orders' })).toEqual([]);
      await store.deleteTokens(acc.id, ['tok_b' as TokenId]);
      expect(await store.listAssignments({ accountId: acc.id })).toEqual([]);
    });

    it('replaces assignments atomically inside a transaction that fails', async () => {
      await secondary('tok_a', 1);
      await store.replaceAssignments(acc.id, 'tok_a' as TokenId, [{ endpointId: 'orders', method: 'POST' }]);
      await expect(
        store.transaction(async (tx) => {
          await tx.replaceAssignments(acc.id, 'tok_a' as TokenId, [{ endpointId: 'orders', method: 'GET' }]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await store.listAssignments({ accountId: acc.id })).map((a) => a.method)).toEqual(['POST']);
    });

    it('lists secondaries only, by status, assigned or not to an endpoint, newest first, with a cursor', async () => {
      await store.insertToken(makeToken(acc.id, 'tok_std', { createdAt: at(9) }), makeSecret(makeToken(acc.id, 'tok_std'), 'std'));
      await store.insertToken(makeToken(acc.id, 'tok_pri', { kind: 'primary', createdAt: at(9) }), makeSecret(makeToken(acc.id, 'tok_pri'), 'pri'));
      await secondary('tok_a', 1);
      await secondary('tok_b', 2, { enabled: false });
      await secondary('tok_c', 3);
      await secondary('tok_d', 4, { revokedAt: at(5) });
      await store.replaceAssignments(acc.id, 'tok_a' as TokenId, [{ endpointId: 'orders', method: 'POST' }]);
      await store.replaceAssignments(acc.id, 'tok_b' as TokenId, [{ endpointId: 'orders', method: 'GET' }]);
      await store.replaceAssignments(acc.id, 'tok_c' as TokenId, [{ endpointId: 'invoices', method: 'GET' }]);
      const ids = async (q: { status: 'active' | 'inactive' | 'all'; endpointId?: string; assigned?: boolean; limit?: number; cursor?: string }) =>
        store.listSecondaries({ accountId: acc.id, now: at(10), limit: 50, ...q });
      expect((await ids({ status: 'active' })).items.map((t) => t.id)).toEqual(['tok_c', 'tok_a']);
      expect((await ids({ status: 'inactive' })).items.map((t) => t.id)).toEqual(['tok_d', 'tok_b']);
      expect((await ids({ status: 'all', endpointId: 'orders', assigned: true })).items.map((t) => t.id)).toEqual(['tok_b', 'tok_a']);
      expect((await ids({ status: 'all', endpointId: 'orders', assigned: false })).items.map((t) => t.id)).toEqual(['tok_d', 'tok_c']);
      const first = await ids({ status: 'all', limit: 3 });
      expect(first.items.map((t) => t.id)).toEqual(['tok_d', 'tok_c', 'tok_b']);
      const second = await ids({ status: 'all', limit: 3, cursor: first.nextCursor ?? '' });
      expect(second).toMatchObject({ nextCursor: null });
      expect(second.items.map((t) => t.id)).toEqual(['tok_a']);
      expect((await store.listSecondaries({ accountId: other.id, status: 'all', now: at(10), limit: 50 })).items).toEqual([]);
    });
  });
}
