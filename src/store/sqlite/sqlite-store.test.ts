import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BetterSqlite3Database as BetterSqlite3 } from './better-sqlite3.js';
import { afterAll, describe, expect, it } from 'vitest';
import { runStoreContract, makeAccount, makeSecret, makeToken } from '../contract/run-store-contract.js';
import { createSqliteStore } from './sqlite-store.js';
import { createSqliteHooks } from './sqlite-hooks.js';
import { turnsDuring } from '../../testing/event-loop-turns.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const freshFile = (): string => join(root, `db-${++n}`, 'tessera.db');

runStoreContract('sqlite', () => createSqliteStore({ filename: freshFile() }));
runStoreContract('sqlite :memory:', () => createSqliteStore({ filename: ':memory:' }));

describe('SQLite store', () => {
  it('writes a large usage batch in slices, so that the event loop answers other work in between, and all of it', async () => {
    const store = await createSqliteStore({ filename: freshFile() });
    await store.migrate();
    const account = makeAccount();
    await store.insertAccount(account);
    // 5,000 updates take well over the 1 ms a turn may hold the loop, on any machine.
    const tokens = Array.from({ length: 5000 }, (_, i) => makeToken(account.id, `tok_slice${i}`));
    await store.insertTokens(tokens.map((token, i) => ({ token, secret: makeSecret(token, `s${i}`) })));
    const lastUsedAt = new Date(Date.UTC(2026, 0, 1)).toISOString();
    const turns = await turnsDuring(() =>
      store.writeUsage({ counters: tokens.map((t) => ({ accountId: account.id, tokenId: t.id, count: 3, lastUsedAt })), events: [], minutes: [] }),
    );
    // One slice per turn: other work ran between the slices of the one transaction.
    expect(turns).toBeGreaterThanOrEqual(3);
    for (const t of [tokens[0]!, tokens.at(-1)!]) expect(await store.getToken(account.id, t.id)).toMatchObject({ useCount: 3, lastUsedAt });
    await store.close();
  });

  it('starts each statement of a usage batch on a turn of its own, however few its rows', async () => {
    const store = await createSqliteStore({ filename: freshFile() });
    await store.migrate();
    const account = makeAccount();
    await store.insertAccount(account);
    const token = makeToken(account.id, 'tok_turns');
    await store.insertTokens([{ token, secret: makeSecret(token, 'turns') }]);
    const at = new Date(Date.UTC(2026, 0, 1)).toISOString();
    const turns = await turnsDuring(() =>
      store.writeUsage({
        counters: [{ accountId: account.id, tokenId: token.id, count: 1, lastUsedAt: at }],
        events: [{ id: 'use_turns1', accountId: account.id, tokenId: token.id, at, kind: 'verify', subject: '', outcome: 'VALID', clientIp: null, refusedBy: null, count: 1 }],
        minutes: [{ accountId: account.id, tokenId: token.id, minute: at, outcome: 'VALID', endpoint: null, refusedBy: null, count: 1 }],
      }),
    );
    // Counters, events, roll-ups: three statements that each fit in a turn, yet the loop turned before each
    // (run on into one another, a window's end of such parts held the loop for 40 ms).
    expect(turns).toBeGreaterThanOrEqual(3);
    expect(await store.getToken(account.id, token.id)).toMatchObject({ useCount: 1, lastUsedAt: at });
    await store.close();
  });

  it('runs rows per turn until the time given, and always at least one', () => {
    const database = new BetterSqlite3(':memory:');
    try {
      database.exec('create table t (n integer)');
      const { runPerRow } = createSqliteHooks(database);
      const items = [1, 2, 3, 4, 5];
      const insert = 'insert into t (n) values (?)';
      // A time already past: one row, and the index of the next.
      expect(runPerRow!(insert, items, (n) => [n], 0, -Infinity)).toBe(1);
      expect(runPerRow!(insert, items, (n) => [n], 1, -Infinity)).toBe(2);
      // Time enough: the rest.
      expect(runPerRow!(insert, items, (n) => [n], 2, Infinity)).toBe(5);
      expect(runPerRow!(insert, items, (n) => [n], 5, Infinity)).toBe(5);
      expect(database.prepare('select n from t order by rowid').pluck().all()).toEqual(items);
    } finally {
      database.close();
    }
  });

  it('creates the file and its directory, in WAL mode with full sync and foreign keys', async () => {
    const filename = join(root, 'nested', 'deeper', 'tessera.db');
    const store = await createSqliteStore({ filename });
    await store.migrate();
    await store.close();
    expect(existsSync(filename)).toBe(true);

    const raw = new BetterSqlite3(filename, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = raw.prepare(`select name from sqlite_master where type = 'table' order by name`).pluck().all();
      expect(tables).toEqual(
        expect.arrayContaining(['accounts', 'audit_events', 'audit_heads', 'token_secrets', 'tokens', 'usage_events']),
      );
    } finally {
      raw.close();
    }
  });

  it('sets its pragmas on the connection it uses', async () => {
    const store = await createSqliteStore({ filename: freshFile() });
    await store.migrate();
    const account = makeAccount();
    // A token of an account that does not exist violates a foreign key: proof that foreign_keys is on.
    const orphan = makeToken(account.id, 'tok_orphan');
    await expect(store.insertToken(orphan, makeSecret(orphan, 'x'))).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_FOREIGNKEY',
    });
    await store.close();
  });

  it('keeps data across close and reopen, and migrating again changes nothing', async () => {
    const filename = freshFile();
    const account = makeAccount();
    const token = makeToken(account.id, 'tok_keep', { metadata: { kept: true } });

    const first = await createSqliteStore({ filename });
    await first.migrate();
    await first.insertAccount(account);
    await first.insertToken(token, makeSecret(token, 'keep'));
    const event = await first.appendAudit({
      accountId: account.id,
      actor: null,
      action: 'token.create',
      targetType: 'token',
      targetId: token.id,
      before: null,
      after: { id: token.id },
      at: token.createdAt,
    });
    await first.close();

    const second = await createSqliteStore({ filename });
    await second.migrate();
    await second.migrate();
    expect(await second.getAccount(account.id)).toStrictEqual(account);
    expect(await second.getToken(account.id, token.id)).toStrictEqual(token);
    expect(await second.readAuditChain(account.id)).toStrictEqual({
      events: [event],
      head: { seq: 1, hash: event.hash },
    });
    await second.close();

    const raw = new BetterSqlite3(filename, { readonly: true });
    try {
      expect(raw.prepare('select name from kysely_migration').pluck().all()).toEqual([
        '0001_initial',
        '0002_catalog_versions',
        '0003_signing_keys',
        '0004_usage',
        '0005_endpoint_tokens',
        '0006_fk_checks_on_tokens_pk',
        '0007_token_chains',
        '0008_identities_limits',
        '0009_webhooks_events',
        '0010_credits',
        '0011_rate_limit_windows',
        '0012_usage_refused_by',
      ]);
    } finally {
      raw.close();
    }
  });

  it('continues one chain when two connections on one file take turns (server and CLI)', async () => {
    const filename = freshFile();
    const server = await createSqliteStore({ filename });
    const cli = await createSqliteStore({ filename });
    await server.migrate();
    await cli.migrate();
    const account = makeAccount();
    await server.insertAccount(account);
    const draft = (i: number) => ({
      accountId: account.id,
      actor: null,
      action: 'token.update' as const,
      targetType: 'token' as const,
      targetId: `tok_${i}`,
      before: null,
      after: null,
      at: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
    });
    // Sequential on purpose: better-sqlite3 blocks the thread while waiting for a lock, so two connections in
    // one process must not hold transactions at once; across processes, `begin immediate` makes them queue.
    for (let i = 0; i < 6; i++) await (i % 2 === 0 ? server : cli).appendAudit(draft(i));
    const chain = await cli.readAuditChain(account.id);
    expect(chain.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(chain.head?.seq).toBe(6);
    await server.close();
    await cli.close();
  });
});
