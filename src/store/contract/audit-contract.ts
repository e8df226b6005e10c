/** The store contract for the audit log: append-only, chained, listed by filters and cursor. */
import { describe, expect, it } from 'vitest';
import { auditEventHash, checkAuditChain, GENESIS_HASH } from '../../core/audit-chain.js';
import type { AccountRecord, AuditDraft, AuditEvent, TokenId } from '../../core/types.js';
import type { Store } from '../store.js';
import { at, storeWithAccounts, makeDraft, expectBadCursor, badCursors } from './fixtures.js';

export function runAuditContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store, acc: AccountRecord, other: AccountRecord;
    storeWithAccounts(makeStore, (...fresh) => ([store, acc, other] = fresh));

    describe('audit', () => {
      it('chains events per account: seq from 1, linked hashes, a matching head', async () => {
        const mine: AuditEvent[] = [];
        for (let i = 0; i < 4; i++) {
          mine.push(await store.appendAudit(makeDraft(acc.id, { targetId: `tok_${i}`, at: at(10 + i) })));
          await store.appendAudit(makeDraft(other.id, { at: at(10 + i) }));
        }
        expect(mine.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
        expect(mine[0]?.prevHash).toBe(GENESIS_HASH);
        mine.forEach((event, i) => {
          expect(event.id).toMatch(/^evt_[0-9A-Za-z]{22}$/);
          if (i > 0) expect(event.prevHash).toBe(mine[i - 1]?.hash);
          const { hash, ...content } = event;
          expect(hash).toBe(auditEventHash(content));
        });
        expect(new Set(mine.map((e) => e.id)).size).toBe(4);

        const chain = await store.readAuditChain(acc.id);
        expect(chain.events).toStrictEqual(mine);
        expect(chain.head).toEqual({ seq: 4, hash: mine[3]?.hash });
        expect(checkAuditChain(chain.events, chain.head)).toEqual({ ok: true, events: 4 });
        const theirs = await store.readAuditChain(other.id);
        expect(checkAuditChain(theirs.events, theirs.head)).toEqual({ ok: true, events: 4 });
      });

      it('gives an empty chain with no head to an account without events', async () => {
        const chain = await store.readAuditChain(acc.id);
        expect(chain).toEqual({ events: [], head: null });
        expect(checkAuditChain(chain.events, chain.head).ok).toBe(true);
      });

      it('keeps the chain whole under concurrent appends', async () => {
        await Promise.all(Array.from({ length: 12 }, (_, i) => store.appendAudit(makeDraft(acc.id, { at: at(i) }))));
        const chain = await store.readAuditChain(acc.id);
        expect(chain.events.map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
        expect(checkAuditChain(chain.events, chain.head).ok).toBe(true);
      });

      it('round-trips before and after exactly', async () => {
        const before = { name: 'a', scopes: ['x:y'], nested: { n: 1.5, t: true, nil: null, s: 'ü "q"\n' } };
        const after = [1, 'two', { three: [3] }];
        const event = await store.appendAudit(makeDraft(acc.id, { action: 'token.update', before, after }));
        const absent = await store.appendAudit(makeDraft(acc.id, { before: undefined, after: null }));
        expect(event.before).toStrictEqual(before);
        expect(event.after).toStrictEqual(after);
        expect(absent.before).toBeNull();
        const chain = await store.readAuditChain(acc.id);
        expect(chain.events).toStrictEqual([event, absent]);
        expect(checkAuditChain(chain.events, chain.head).ok).toBe(true);
      });

      it('lists newest first, filtered by token (actor or target), action and inclusive time bounds', async () => {
        const drafts: Partial<AuditDraft>[] = [
          { action: 'token.create', targetId: 'tok_a', at: at(1) },
          { action: 'token.create', targetId: 'tok_b', actor: 'tok_a' as TokenId, at: at(2) },
          { action: 'token.disable', targetId: 'tok_b', at: at(3) },
          { action: 'account.update', targetType: 'account', targetId: 'tok_a', at: at(4) },
          { action: 'token.revoke', targetId: 'tok_a', actor: 'tok_b' as TokenId, at: at(5) },
          { action: 'token.create', targetId: 'tok_c', at: at(6) },
        ];
        for (const draft of drafts) await store.appendAudit(makeDraft(acc.id, draft));
        await store.appendAudit(makeDraft(other.id, { targetId: 'tok_a', at: at(3) }));

        const seqs = async (filter: Partial<Parameters<Store['listAudit']>[0]>): Promise<number[]> =>
          (await store.listAudit({ accountId: acc.id, limit: 100, ...filter })).items.map((e) => e.seq);
        expect(await seqs({})).toEqual([6, 5, 4, 3, 2, 1]);
        expect(await seqs({ tokenId: 'tok_a' })).toEqual([5, 2, 1]);
        expect(await seqs({ tokenId: 'tok_b' })).toEqual([5, 3, 2]);
        expect(await seqs({ action: 'token.create' })).toEqual([6, 2, 1]);
        expect(await seqs({ from: at(2), to: at(5) })).toEqual([5, 4, 3, 2]);
        expect(await seqs({ tokenId: 'tok_a', action: 'token.create', from: at(2) })).toEqual([2]);
        expect(await seqs({ to: at(0) })).toEqual([]);
        const [newest] = (await store.listAudit({ accountId: acc.id, limit: 1 })).items;
        expect(newest).toStrictEqual((await store.readAuditChain(acc.id)).events[5]);
      });

      it('pages newest first without duplicates or gaps and refuses invalid cursors', async () => {
        for (let i = 0; i < 11; i++) {
          await store.appendAudit(makeDraft(acc.id, { action: i % 2 === 0 ? 'token.create' : 'token.delete', at: at(i) }));
        }
        const collect = async (action?: 'token.create'): Promise<{ seqs: number[]; pages: number }> => {
          const seqs: number[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await store.listAudit({ accountId: acc.id, limit: 2, ...(action ? { action } : {}), ...(cursor ? { cursor } : {}) });
            seqs.push(...page.items.map((e) => e.seq));
            cursor = page.nextCursor ?? undefined;
            pages += 1;
          } while (cursor !== undefined && pages < 50);
          return { seqs, pages };
        };
        expect(await collect()).toEqual({ seqs: [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1], pages: 6 });
        expect(await collect('token.create')).toEqual({ seqs: [11, 9, 7, 5, 3, 1], pages: 3 });
        for (const cursor of badCursors) {
          await expectBadCursor(store.listAudit({ accountId: acc.id, limit: 2, cursor }));
        }
      });
    });
  });
}
