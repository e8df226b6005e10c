/** Chooses the store backend from the resolved database configuration and brings its schema up to date. */
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import type { DatabaseConfig } from './config.js';

export async function openStore(database: DatabaseConfig): Promise<Store> {
  const store =
    database.kind === 'postgres'
      ? await createPostgresStore({ url: database.url })
      : await createSqliteStore({ filename: database.filename });
  try {
    await store.migrate();
  } catch (error) {
    // A server that is down or refuses us must not leave a pool (and its timers) behind the failed start.
    await store.close();
    throw error;
  }
  return store;
}
