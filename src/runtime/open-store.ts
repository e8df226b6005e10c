/** Chooses the store backend from the resolved database configuration. */
import { TesseraError } from '../core/errors.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import type { DatabaseConfig } from './config.js';

export async function openStore(database: DatabaseConfig): Promise<Store> {
  if (database.kind === 'postgres') {
    throw new TesseraError('SERVICE_UNAVAILABLE', 'DATABASE_URL: the PostgreSQL backend is not available in this build yet');
  }
  const store = await createSqliteStore({ filename: database.filename });
  await store.migrate();
  return store;
}
