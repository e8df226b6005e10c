/** The store contract for webhooks (issue 20): endpoints, the outbox, deliveries in order, leases and scheduled marks. */
import { describe, expect, it } from 'vitest';
import type { AccountRecord } from '../../core/types.js';
import type { WebhookEndpointRecord, WebhookEventType } from '../../core/webhooks.js';
import type { Store } from '../store.js';
import { at, makeSecret, makeToken, storeWithAccounts } from './fixtures.js';

let counter = 0;
const uniq = (p: string) => `${p}_${process.pid}_${Date.now().toString(36)}_${++counter}`;

export function runWebhookContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}: webhooks`, () => {
    let store: Store;
    let acc: AccountRecord;
    let other: AccountRecord;
    storeWithAccounts(makeStore, (s, a, o) => {
      store = s;
      acc = a;
      other = o;
    });

    const endpoint = (account: AccountRecord, overrides: Partial<WebhookEndpointRecord> = {}): WebhookEndpointRecord => ({
      accountId: account.id,
      id: uniq('whk'),
      url: 'https://hooks.example.com/in',
      description: null,
      eventTypes: ['*'],
      enabled: true,
      secrets: [{ secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0', expiresAt: null }],
      createdAt: at(1),
      updatedAt: at(1),
      ...overrides,
    });
    const event = (account: AccountRecord, type: WebhookEventType, minute: number) => {
      const id = uniq('msg');
      return { accountId: account.id, id, type, payload: JSON.stringify({ type, timestamp: at(minute), data: { id } }), at: at(minute) };
    };

    it('stores, lists in pages, updates and deletes endpoints, per account', async () => {
      const a = endpoint(acc, { createdAt: at(1) });
      const b = endpoint(acc, { createdAt: at(2), description: 'second', eventTypes: ['token.created', 'token.revoked'] });
      await store.insertWebhookEndpoint(a);
      await store.insertWebhookEndpoint(b);
      await store.insertWebhookEndpoint(endpoint(other));
      expect(await store.getWebhookEndpoint(acc.id, b.id)).toStrictEqual(b);
      expect(await store.getWebhookEndpoint(other.id, b.id)).toBeUndefined();
      const first = await store.listWebhookEndpoints({ accountId: acc.id, limit: 1 });
      expect(first.items.map((e) => e.id)).toEqual([b.id]);
      const second = await store.listWebhookEndpoints({ accountId: acc.id, limit: 1, cursor: first.nextCursor! });
      expect(second).toStrictEqual({ items: [a], nextCursor: null });
      const changed = { ...a, url: 'http://10.0.0.1/x', enabled: false, secrets: [{ secret: 'whsec_bmV3', expiresAt: null }, { secret: a.secrets[0]!.secret, expiresAt: at(9) }], updatedAt: at(5) };
      expect(await store.updateWebhookEndpoint(changed)).toBe(true);
      expect(await store.getWebhookEndpoint(acc.id, a.id)).toStrictEqual(changed);
      expect(await store.updateWebhookEndpoint({ ...changed, accountId: other.id })).toBe(false);
      expect(await store.deleteWebhookEndpoint(other.id, a.id)).toBe(false);
      expect(await store.deleteWebhookEndpoint(acc.id, a.id)).toBe(true);
      expect(await store.getWebhookEndpoint(acc.id, a.id)).toBeUndefined();
    });

    it('queues each event for the enabled endpoints subscribed to it, in order, and lists the log newest first', async () => {
      const all = endpoint(acc);
      const revokes = endpoint(acc, { eventTypes: ['token.revoked'] });
      const off = endpoint(acc, { enabled: false });
      for (const e of [all, revokes, off]) await store.insertWebhookEndpoint(e);
      const e1 = event(acc, 'token.created', 2);
      const e2 = event(acc, 'token.revoked', 3);
      expect(await store.appendWebhookEvent(e1)).toBe(1);
      expect(await store.appendWebhookEvent(e2)).toBe(2);
      expect(await store.appendWebhookEvent(event(other, 'token.created', 3))).toBe(1);
      const log = await store.listWebhookDeliveries({ accountId: acc.id, endpointId: all.id, limit: 1 });
      expect(log.items).toMatchObject([{ eventId: e2.id, eventType: 'token.revoked', seq: 2, status: 'pending', attempts: 0, nextAttemptAt: at(3) }]);
      const rest = await store.listWebhookDeliveries({ accountId: acc.id, endpointId: all.id, limit: 5, cursor: log.nextCursor! });
      expect(rest.items.map((d) => d.eventId)).toEqual([e1.id]);
      expect((await store.listWebhookDeliveries({ accountId: acc.id, endpointId: revokes.id, limit: 5 })).items.map((d) => d.eventId)).toEqual([e2.id]);
      expect((await store.listWebhookDeliveries({ accountId: acc.id, endpointId: off.id, limit: 5 })).items).toEqual([]);
      expect(await store.nextWebhookDelivery(all.id)).toMatchObject({ delivery: { eventId: e1.id }, payload: e1.payload });
    });

    it('writes no event when the transaction rolls back', async () => {
      const e = endpoint(acc);
      await store.insertWebhookEndpoint(e);
      await expect(
        store.transaction(async (tx) => {
          await tx.appendWebhookEvent(event(acc, 'token.created', 2));
          throw new Error('change failed');
        }),
      ).rejects.toThrow('change failed');
      expect(await store.nextWebhookDelivery(e.id)).toBeUndefined();
    });

    it('leases an endpoint to one owner at a time, records attempts, and redelivers', async () => {
      const e = endpoint(acc);
      await store.insertWebhookEndpoint(e);
      const e1 = event(acc, 'token.created', 2);
      await store.appendWebhookEvent(e1);
      const mine = (list: WebhookEndpointRecord[]) => list.filter((x) => x.id === e.id).map((x) => x.id);
      expect(mine(await store.leaseWebhookEndpoints({ owner: 'one', now: at(3), until: at(4), limit: 1000 }))).toEqual([e.id]);
      expect(mine(await store.leaseWebhookEndpoints({ owner: 'two', now: at(3), until: at(4), limit: 1000 }))).toEqual([]);
      expect(await store.moveWebhookLease(e.id, 'two', at(9))).toBe(false);
      // A lease past its end is free again: the owner died mid-delivery.
      expect(mine(await store.leaseWebhookEndpoints({ owner: 'two', now: at(5), until: at(6), limit: 1000 }))).toEqual([e.id]);
      expect(await store.moveWebhookLease(e.id, 'one', null)).toBe(false);
      await store.recordWebhookAttempt({ endpointId: e.id, seq: 1, status: 'pending', at: at(5), statusCode: 500, error: 'HTTP 500', nextAttemptAt: at(7) });
      expect((await store.nextWebhookDelivery(e.id))?.delivery).toMatchObject({ attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500', nextAttemptAt: at(7), status: 'pending' });
      await store.recordWebhookAttempt({ endpointId: e.id, seq: 1, status: 'delivered', at: at(7), statusCode: 204, error: null, nextAttemptAt: null });
      expect(await store.moveWebhookLease(e.id, 'two', null)).toBe(true);
      expect(await store.nextWebhookDelivery(e.id)).toBeUndefined();
      expect(mine(await store.leaseWebhookEndpoints({ owner: 'one', now: at(8), until: at(9), limit: 1000 }))).toEqual([]);
      expect(await store.redeliverWebhook(acc.id, e.id, e1.id, at(10))).toBe(true);
      expect(await store.redeliverWebhook(other.id, e.id, e1.id, at(10))).toBe(false);
      expect((await store.nextWebhookDelivery(e.id))?.delivery).toMatchObject({ status: 'pending', attempts: 2, nextAttemptAt: at(10), retryFrom: at(10) });
    });

    it('keeps pending deliveries and their events through the retention sweep, removes the rest', async () => {
      const e = endpoint(acc);
      await store.insertWebhookEndpoint(e);
      const old = event(acc, 'token.created', 2);
      const stuck = event(acc, 'token.created', 3);
      const recent = event(acc, 'token.created', 30);
      for (const x of [old, stuck, recent]) await store.appendWebhookEvent(x);
      await store.recordWebhookAttempt({ endpointId: e.id, seq: 1, status: 'delivered', at: at(4), statusCode: 200, error: null, nextAttemptAt: null });
      await store.recordWebhookAttempt({ endpointId: e.id, seq: 3, status: 'delivered', at: at(31), statusCode: 200, error: null, nextAttemptAt: null });
      expect(await store.deleteWebhookHistoryBefore(at(10))).toBeGreaterThanOrEqual(1);
      const left = await store.listWebhookDeliveries({ accountId: acc.id, endpointId: e.id, limit: 10 });
      expect(left.items.map((d) => d.eventId)).toEqual([recent.id, stuck.id]);
      expect(await store.nextWebhookDelivery(e.id)).toMatchObject({ delivery: { eventId: stuck.id }, payload: stuck.payload });
      // The next event of the account still follows the last one kept.
      expect(await store.appendWebhookEvent(event(acc, 'token.created', 40))).toBe(4);
    });

    it('claims a scheduled mark once, and lists the tokens still due for one', async () => {
      const soon = makeToken(acc.id, 'tok_soon', { expiresAt: at(60) });
      const later = makeToken(acc.id, 'tok_later', { expiresAt: at(600) });
      const idle = makeToken(acc.id, 'tok_idle', { lastUsedAt: at(2) });
      const busy = makeToken(acc.id, 'tok_busy', { lastUsedAt: at(50) });
      for (const t of [soon, later, idle, busy]) await store.insertToken(t, makeSecret(t, t.id));
      const ids = async (q: Parameters<Store['listScheduledTokens']>[0]) => (await store.listScheduledTokens({ ...q, accountId: acc.id })).map((t) => t.id);
      expect(await ids({ kind: 'expiring', from: at(10), until: at(100), limit: 10 })).toEqual(['tok_soon']);
      expect(await store.claimWebhookMark({ accountId: acc.id, tokenId: soon.id, kind: 'expiring', mark: at(60) })).toBe(true);
      expect(await store.claimWebhookMark({ accountId: acc.id, tokenId: soon.id, kind: 'expiring', mark: at(60) })).toBe(false);
      expect(await ids({ kind: 'expiring', from: at(10), until: at(100), limit: 10 })).toEqual([]);
      expect(await ids({ kind: 'expired', from: at(10), until: at(100), limit: 10 })).toEqual(['tok_soon']);
      expect(await ids({ kind: 'unused', until: at(10), limit: 10 })).toEqual(['tok_idle', 'tok_soon', 'tok_later'].sort());
      expect(await store.claimWebhookMark({ accountId: acc.id, tokenId: idle.id, kind: 'unused', mark: at(2) })).toBe(true);
      expect(await ids({ kind: 'unused', until: at(10), limit: 10 })).toEqual(['tok_later', 'tok_soon']);
      expect(await ids({ kind: 'idle', until: at(10), limit: 10 })).toEqual(['tok_idle', 'tok_later', 'tok_soon']);
      // Expired by `liveAt`: never used again, so neither warned about nor disabled.
      expect(await ids({ kind: 'idle', until: at(10), liveAt: at(61), limit: 10 })).toEqual(['tok_idle', 'tok_later']);
      expect(await ids({ kind: 'unused', until: at(10), liveAt: at(601), limit: 10 })).toEqual([]);
      expect((await store.listAccounts()).map((a) => a.id)).toEqual(expect.arrayContaining([acc.id, other.id]));
    });
  });
}
