/** Chooses the store backend from the resolved database configuration and brings its schema up to date. */
import { resolve } from 'node:path';
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import type { DatabaseConfig } from './config.js';
import { DatabaseOpenError } from './database-open-error.js';

export async function openStore(database: DatabaseConfig): Promise<Store> {
  let store: Store;
  try {
    store =
      database.kind === 'postgres'
        ? await createPostgresStore({ url: database.url })
        : await createSqliteStore({ filename: database.filename });
  } catch (error) {
    throw openError(database, error);
  }
  try {
    await store.migrate();
  } catch (error) {
    // A server that is down or refuses us must not leave a pool (and its timers) behind the failed start.
    await store.close().catch(() => {});
    throw openError(database, error);
  }
  return store;
}

function openError(database: DatabaseConfig, error: unknown): DatabaseOpenError {
  const where = database.kind === 'sqlite' ? resolve(database.filename) : withoutPassword(database.url);
  return new DatabaseOpenError(`${where}: ${describeCause(error)}`, { cause: error });
}

/** The causes a person can act on, by the codes SQLite, Node and Kysely's migrator give them. */
function describeCause(error: unknown): string {
  const chain: { code?: unknown; message?: unknown }[] = [];
  for (let e: unknown = error; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e as { code?: unknown; message?: unknown });
  const code = chain.map((e) => (typeof e.code === 'string' ? e.code : '')).find(Boolean) ?? '';
  const messages = chain.map((e) => String(e.message));
  const newer = messages.map((m) => /previously executed migration (\S+) is missing/.exec(m)?.[1]).find(Boolean);
  if (newer) {
    return `written by a newer version of Tessera (its schema has migration ${newer}, unknown to this version): run that version or a later one, or restore a backup made with this one`;
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return `not a SQLite database, or corrupt (${code}): restore it from a backup`;
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || ['EACCES', 'EPERM', 'EROFS'].includes(code)) {
    return `cannot be opened for writing (${code}): check the permissions of the file and its directory, and that the filesystem is not read-only`;
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return `the disk is full (${code})`;
  if (code === 'ENOENT' || code === 'ENOTDIR') return `cannot create the file or its directory (${code})`;
  return messages.at(-1) ?? String(error);
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'DATABASE_URL';
  }
}
