/** The shared migrations with SQLite's column types (its default BINARY collation already compares code points). */
import type { Kysely } from 'kysely';
import { createMigrations, migrateToLatest } from '../kysely/migrations.js';

const migrations = createMigrations({ text: 'text', database: 'sqlite' });

export function migrateSqlite(db: Kysely<unknown>): Promise<void> {
  return migrateToLatest(db, migrations);
}
