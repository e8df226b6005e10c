import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BetterSqlite3Database as BetterSqlite3 } from '../sqlite/better-sqlite3.js';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAuditChain } from '../../core/audit-chain.js';
import type { AccountRecord, AuditDraft } from '../../core/types.js';
import { adminQuery, POSTGRES_MISSING_MESSAGE, startPostgres } from '../../testing/postgres-server.js';
import { at, makeAccount, makeSecret, makeToken, runStoreContract } from '../contract/run-store-contract.js';
import { createSqliteStore } from '../sqlite/sqlite-store.js';
import { StoreConflictError, type Store, type StoreChange } from '../store.js';
import { createPostgresChangeFeed } from './postgres-change-feed.js';
import { createPostgresStore } from './postgres-store.js';

const server = await startPostgres();
if (server === null) console.warn(POSTGRES_MISSING_MESSAGE);
afterAll(() => server?.stop());
const describePostgres = server === null ? describe.skip : describe;

/** A new store on a new, empty database. */
const freshStore = async (): Promise<Store> => createPostgresStore({ url: await server!.createDatabase() });

describePostgres('PostgreSQL', () => {
  runStoreContract('postgres', freshStore);
});


/** Two stores with their own pools on one migrated database: two service instances behind a load balancer. */
async function twoInstances(): Promise<[Store, Store]> {
  const url = await server!.createDatabase();
  const a = await createPostgresStore({ url });
  const b = await createPostgresStore({ url });
  await a.migrate();
  return [a, b];
}

function draft(accountId: AuditDraft['accountId'], i: number): AuditDraft {
  return { accountId, actor: null, action: 'token.update', targetType: 'token', targetId: `tok_${i}`, before: null, after: { i }, at: at(i) };
}

describePostgres('PostgreSQL store across instances', () => {
  /** A migrated store with one account, and another instance's change feed hearing it. */
  async function withFeed(run: (store: Store, account: AccountRecord, heard: StoreChange[]) => Promise<void>): Promise<void> {
    const url = await server!.createDatabase();
    const store = await createPostgresStore({ url });
    const feed = createPostgresChangeFeed({ url });
    const heard: StoreChange[] = [];
    try {
      await store.migrate();
      await feed.start({ onChange: (change) => heard.push(change), onReset: () => undefined });
      const account = makeAccount();
      await store.insertAccount(account);
      await run(store, account, heard);
    } finally {
      await feed.close();
      await store.close();
    }
  }

  it("tells another instance's change feed of every token a bulk insert adds, in one notice each", () =>
    withFeed(async (store, account, heard) => {
      // Over one chunk (500), so the notices of two statements arrive, in insertion order.
      const items = Array.from({ length: 700 }, (_, i) => makeToken(account.id, `tok_fed_${i}`)).map((token) => ({ token, secret: makeSecret(token, token.id) }));
      await store.insertTokens(items);
      await expect.poll(() => heard.length).toBe(items.length);
      expect(heard).toStrictEqual(items.map(({ token, secret }) => ({ accountId: account.id, tokenId: token.id, secretHash: secret.hash })));
    }));

  it("tells another instance's change feed of an identity's changes, and of the tokens its deletion detaches", () =>
    withFeed(async (store, account, heard) => {
      const identity = { id: 'idn_fed', accountId: account.id, externalId: 'ext', name: null, metadata: {}, limits: [], credits: null, createdAt: at(1), updatedAt: at(1), version: 1 };
      await store.insertIdentity(identity);
      await store.updateIdentity({ ...identity, limits: [{ name: 'per-second', limit: 5, durationMs: 1000 }], version: 2 });
      const token = makeToken(account.id, 'tok_owned', { identityId: 'idn_fed' });
      const secret = makeSecret(token, 'owned');
      await store.insertToken(token, secret);
      await store.deleteIdentity(account.id, 'idn_fed', at(2));
      const identityChange = { accountId: account.id, kind: 'identity', identityId: 'idn_fed' };
      await expect.poll(() => heard.length).toBe(5);
      expect(heard).toStrictEqual([
        identityChange,
        identityChange,
        { accountId: account.id, tokenId: 'tok_owned', secretHash: secret.hash },
        identityChange,
        { accountId: account.id, tokenId: 'tok_owned' },
      ]);
    }));

  it('keeps one gapless chain when two instances append at once', async () => {
    const [a, b] = await twoInstances();
    try {
      const account = makeAccount();
      await a.insertAccount(account);
      // Starts from an empty chain, so both instances also race for the first event, which has no head row yet.
      const appended = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).appendAudit(draft(account.id, i))));
      expect(new Set(appended.map((e) => e.seq)).size).toBe(40);

      const chain = await b.readAuditChain(account.id);
      expect(chain.events.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(chain.head?.seq).toBe(40);
      expect(checkAuditChain(chain.events, chain.head)).toMatchObject({ ok: true });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('lets exactly one of two instances insert a token id, the other gets StoreConflictError', async () => {
    const [a, b] = await twoInstances();
    try {
      const account = makeAccount();
      await a.insertAccount(account);
      for (let round = 0; round < 10; round++) {
        const token = makeToken(account.id, `tok_race_${round}`);
        const results = await Promise.allSettled([
          a.insertToken(token, makeSecret(token, `a${round}`)),
          b.insertToken({ ...token, name: 'second' }, makeSecret(token, `b${round}`)),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected');
        expect(rejected?.reason).toBeInstanceOf(StoreConflictError);
        // The loser's secret was rolled back with its token: only the winner's secret opens the token.
        expect(await a.listSecretHashes(account.id, token.id)).toHaveLength(1);
      }
      expect(await b.countTokens(account.id)).toBe(10);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('lets two instances migrate one empty database at once', async () => {
    const url = await server!.createDatabase();
    const stores = await Promise.all([createPostgresStore({ url }), createPostgresStore({ url })]);
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      await stores[0]!.insertAccount(makeAccount());
      expect(await stores[1]!.getDefaultAccount()).toBeDefined();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('reports an unreachable server from ping and migrate instead of hanging', async () => {
    const store = await createPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/none' });
    try {
      await expect(store.ping()).rejects.toThrow();
      await expect(store.migrate()).rejects.toThrow();
    } finally {
      await store.close();
    }
  });
});

/** Index scans of `tokens` per index, once the counters include `atLeast` scans in all (backends report them late). */
async function tokenIndexScans(url: string, atLeast: number): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // A backend sends its counters when idle (at most a second later) or when it exits: wait for them, boundedly.
    for (const deadline = Date.now() + 10_000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
      const { rows } = await client.query<{ name: string; scans: string }>(
        `select indexrelname as name, idx_scan as scans from pg_stat_user_indexes where relname = 'tokens'`,
      );
      const scans = Object.fromEntries(rows.map((r) => [r.name, Number(r.scans)]));
      if (Object.values(scans).reduce((a, b) => a + b, 0) >= atLeast || Date.now() > deadline) return scans;
    }
  } finally {
    await client.end();
  }
}

describePostgres('PostgreSQL foreign-key checks on a new database', () => {
  it('find the token of each new secret through tokens_pk, whenever a connection first plans them, before any ANALYZE', async () => {
    const url = await server!.createDatabase();
    const first = await createPostgresStore({ url });
    const later = await createPostgresStore({ url });
    try {
      await first.migrate();
      // Keep autovacuum's ANALYZE out of the run: this is about the plans PostgreSQL makes without statistics,
      // which each connection keeps for every later check until `tokens` is analysed.
      await adminQuery(url, 'alter table tokens set (autovacuum_enabled = off)');
      const account = makeAccount();
      await first.insertAccount(account);
      // From the first insert on, one transaction per token with its first secret, as createToken does.
      for (let i = 0; i < 200; i++) {
        const token = makeToken(account.id, `tok_one_${i}`);
        await first.insertToken(token, makeSecret(token, `one${i}`));
      }
      // A connection whose first check comes later (another instance, a bulk import): the key has grown a level by
      // then, while the NULL parents of a full tokens_parent_idx still fit one page.
      const bulk = Array.from({ length: 1000 }, (_, i) => makeToken(account.id, `tok_bulk_${i}`));
      await later.insertTokens(bulk.map((token) => ({ token, secret: makeSecret(token, token.id) })));
    } finally {
      await first.close();
      await later.close();
    }
    // Nothing else reads `tokens` here: each scan is one check. Another index matches `account_id` alone and
    // reads through the whole account per check.
    expect(await tokenIndexScans(url, 1200)).toEqual({ tokens_pk: 1200, tokens_list_idx: 0, tokens_parent_idx: 0 });
  });
});

interface SchemaShape {
  migrations: string[];
  tables: Record<string, { columns: string[]; primaryKey: string[] }>;
  /** index name → `table(col, col desc)`, then ` where …` for a partial index. */
  indexes: Record<string, string>;
}

/** A partial index's predicate as both databases can print it: ` where parent_id is not null`, or ''. */
const predicate = (text: string | null): string =>
  text === null ? '' : ` where ${text.replace(/"/g, '').replace(/^\((.*)\)$/, '$1').replace(/\s+/g, ' ').trim().toLowerCase()}`;

/** Column as `name type [required]`; a primary key column counts as required (SQLite does not say NOT NULL). */
const column = (name: string, type: string, required: boolean): string => `${name} ${type.toLowerCase()}${required ? ' required' : ''}`;

function sqliteSchema(filename: string): SchemaShape {
  const raw = new BetterSqlite3(filename, { readonly: true });
  try {
    const shape: SchemaShape = { migrations: [], tables: {}, indexes: {} };
    shape.migrations = raw.prepare('select name from kysely_migration order by name').pluck().all() as string[];
    const tables = raw
      .prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`)
      .pluck()
      .all() as string[];
    for (const table of tables) {
      const cols = raw.prepare(`pragma table_info("${table}")`).all() as { name: string; type: string; notnull: number; pk: number }[];
      shape.tables[table] = {
        columns: cols.map((c) => column(c.name, c.type, c.notnull === 1 || c.pk > 0)),
        primaryKey: cols.filter((c) => c.pk > 0).sort((x, y) => x.pk - y.pk).map((c) => c.name),
      };
    }
    // Explicit indexes only (`sql` is null for those SQLite makes itself for keys and unique constraints).
    const indexes = raw
      .prepare(`select name, tbl_name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name not like 'kysely_%'`)
      .all() as { name: string; tbl_name: string; sql: string }[];
    for (const { name, tbl_name, sql } of indexes) {
      const keys = (raw.prepare(`pragma index_xinfo("${name}")`).all() as { name: string; desc: number; key: number }[])
        .filter((k) => k.key === 1)
        .map((k) => `${k.name}${k.desc === 1 ? ' desc' : ''}`);
      shape.indexes[name] = `${tbl_name}(${keys.join(', ')})${predicate(/\swhere\s(.*)$/is.exec(sql)?.[1] ?? null)}`;
    }
    return shape;
  } finally {
    raw.close();
  }
}

async function postgresSchema(url: string): Promise<SchemaShape & { collations: string[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const shape: SchemaShape = { migrations: [], tables: {}, indexes: {} };
    shape.migrations = (await client.query<{ name: string }>('select name from kysely_migration order by name')).rows.map((r) => r.name);
    const cols = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; collation_name: string | null }>(
      `select table_name, column_name, data_type, is_nullable, collation_name from information_schema.columns
       where table_schema = 'public' and table_name not like 'kysely_%' order by table_name, ordinal_position`,
    );
    for (const c of cols.rows) {
      const table = (shape.tables[c.table_name] ??= { columns: [], primaryKey: [] });
      table.columns.push(column(c.column_name, c.data_type, c.is_nullable === 'NO'));
    }
    const keys = await client.query<{ table_name: string; column_name: string }>(
      `select k.table_name, k.column_name from information_schema.table_constraints t
       join information_schema.key_column_usage k using (constraint_schema, constraint_name)
       where t.constraint_type = 'PRIMARY KEY' and t.table_schema = 'public' order by k.table_name, k.ordinal_position`,
    );
    for (const k of keys.rows) shape.tables[k.table_name]?.primaryKey.push(k.column_name);
    // Explicit indexes only: not those backing a primary key or unique constraint.
    const indexes = await client.query<{ name: string; table: string; def: string; pred: string | null }>(
      `select i.relname as name, t.relname as table, pg_get_indexdef(x.indexrelid) as def,
         pg_get_expr(x.indpred, x.indrelid) as pred
       from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
       join pg_namespace n on n.oid = t.relnamespace
       where n.nspname = 'public' and t.relname not like 'kysely_%'
         and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)`,
    );
    for (const { name, table, def, pred } of indexes.rows) {
      const keyList = /\((.*)\)$/.exec(def.replace(/ WHERE .*$/s, ''))?.[1] ?? def;
      shape.indexes[name] = `${table}(${keyList.replace(/ DESC/g, ' desc')})${predicate(pred)}`;
    }
    const collations = cols.rows.filter((c) => c.data_type === 'text').map((c) => `${c.table_name}.${c.column_name} ${c.collation_name}`);
    return { ...shape, collations };
  } finally {
    await client.end();
  }
}

describePostgres('PostgreSQL schema', () => {
  it('matches SQLite after migrating: tables, columns in order with their types, keys, indexes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-parity-'));
    try {
      const filename = join(dir, 'tessera.db');
      const sqlite = await createSqliteStore({ filename });
      await sqlite.migrate();
      await sqlite.close();

      const url = await server!.createDatabase();
      const postgres = await createPostgresStore({ url });
      await postgres.migrate();
      await postgres.close();

      const { collations, ...pgShape } = await postgresSchema(url);
      const sqliteShape = sqliteSchema(filename);
      expect(Object.keys(sqliteShape.tables)).toEqual(
        expect.arrayContaining(['accounts', 'audit_events', 'audit_heads', 'token_secrets', 'tokens', 'usage_events']),
      );
      expect(pgShape).toEqual(sqliteShape);
      // Every text column compares as plain code points, like SQLite's BINARY: the list order and cursors rely on it.
      expect(collations.filter((c) => !c.endsWith(' C'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
