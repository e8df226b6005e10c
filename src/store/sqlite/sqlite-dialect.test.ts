import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { BetterSqlite3Database } from './better-sqlite3.js';
import { ImmediateSqliteDialect } from './sqlite-dialect.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-dialect-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Tables {
  item: { id: number; name: string };
}

/** A real database file whose `prepare` calls are counted by SQL text. */
function openCounting(name: string) {
  const database = new BetterSqlite3Database(join(root, name));
  const prepared = new Map<string, number>();
  const prepare = database.prepare.bind(database);
  database.prepare = ((source: string) => {
    prepared.set(source, (prepared.get(source) ?? 0) + 1);
    return prepare(source);
  }) as typeof database.prepare;
  const db = new Kysely<Tables>({ dialect: new ImmediateSqliteDialect({ database, lockWaitMs: 1000 }) });
  return { db, prepared };
}

describe('the SQLite dialect', () => {
  it('prepares each distinct query once and gives the same answers as a fresh statement would', async () => {
    const { db, prepared } = openCounting('once.db');
    await sql`create table item (id integer primary key, name text not null)`.execute(db);
    for (let id = 1; id <= 20; id++) await db.insertInto('item').values({ id, name: `item ${id}` }).execute();
    for (let id = 1; id <= 20; id++) {
      const row = await db.selectFrom('item').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
      expect(row).toEqual({ id, name: `item ${id}` });
    }
    const select = [...prepared.keys()].find((text) => text.startsWith('select'));
    const insert = [...prepared.keys()].find((text) => text.startsWith('insert'));
    expect(prepared.get(select!)).toBe(1);
    expect(prepared.get(insert!)).toBe(1);
    // Writes through a kept statement in transactions, then reads, see each other.
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('item').set({ name: 'renamed' }).where('id', '=', 3).execute();
      await trx.updateTable('item').set({ name: 'renamed too' }).where('id', '=', 4).execute();
    });
    expect(await db.selectFrom('item').select(['id', 'name']).where('id', '=', 3).executeTakeFirst()).toEqual({ id: 3, name: 'renamed' });
    expect(await db.selectFrom('item').select(['id', 'name']).where('id', '=', 4).executeTakeFirst()).toEqual({ id: 4, name: 'renamed too' });
    // A streamed query, run to its end and again, through its kept statement.
    const streamed: number[] = [];
    for (let round = 0; round < 2; round++) for await (const row of db.selectFrom('item').select('id').orderBy('id').stream()) streamed.push(row.id);
    expect(streamed).toHaveLength(40);
    await db.destroy();
  });
});
