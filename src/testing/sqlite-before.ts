/** A SQLite file migrated only up to (not including) a migration: what the release before it wrote, for migration tests. */
import { Kysely, Migrator, SqliteDialect } from 'kysely';
// The driver this runtime loads (better-sqlite3 12 on Node 20, 13 on Node 22+).
import { BetterSqlite3Database as BetterSqlite3 } from '../store/sqlite/better-sqlite3.js';
import { createMigrations } from '../store/kysely/migrations.js';

/** The raw database to write old rows into; close it before opening the file with the store. */
export async function sqliteBefore(filename: string, migration: string): Promise<{ database: InstanceType<typeof BetterSqlite3>; close: () => Promise<void> }> {
  const database = new BetterSqlite3(filename);
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  const previous = Object.fromEntries(Object.entries(createMigrations({ text: 'text', database: 'sqlite' })).filter(([name]) => name < migration));
  const migrated = await new Migrator({ db, provider: { getMigrations: async () => previous } }).migrateToLatest();
  if (migrated.error !== undefined) throw new Error(`migrating to before ${migration} failed`, { cause: migrated.error });
  return { database, close: () => db.destroy() };
}
