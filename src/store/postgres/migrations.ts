/** The shared migrations with PostgreSQL's column types. */
import { sql, type Kysely } from 'kysely';
import { createMigrations, migrateToLatest } from '../kysely/migrations.js';

/**
 * `collate "C"` on every text column: ids and ISO timestamps must sort as plain code points ('B' < 'a'), as
 * they do in SQLite, whatever the database's default collation; cursors compare them with `<`.
 */
const migrations = createMigrations({ text: sql`text collate "C"`, database: 'postgres' });

export function migratePostgres(db: Kysely<unknown>): Promise<void> {
  return migrateToLatest(db, migrations);
}
