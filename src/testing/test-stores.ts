/**
 * Which backends the HTTP, CLI and process tests run on: both by default, `STORES=sqlite` or `STORES=postgres`
 * to narrow. Each test process learns its own from `TESSERA_TEST_STORE` (set per vitest project).
 */
import { findPostgresBinaries } from './postgres-server.js';

export type TestStore = 'sqlite' | 'postgres';

export const ENABLE_POSTGRES_MESSAGE =
  'PostgreSQL tests skipped: PostgreSQL is not installed. Run `apt-get install -y postgresql` (or set TESSERA_TEST_DATABASE_URL) to run every HTTP and CLI test on PostgreSQL too; STORES=sqlite silences this.';

export function requestedStores(env: NodeJS.ProcessEnv = process.env): TestStore[] {
  const wanted = (env.STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of wanted) if (s !== 'sqlite' && s !== 'postgres') throw new Error(`STORES: unknown backend ${s} (sqlite, postgres)`);
  return wanted as TestStore[];
}

export function postgresAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.TESSERA_TEST_DATABASE_URL) || findPostgresBinaries() !== null;
}

/** The backend of this test process. */
export function currentTestStore(): TestStore {
  return process.env.TESSERA_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
}
