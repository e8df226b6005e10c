/** The server backend: PostgreSQL through Kysely over a `pg` connection pool. */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../kysely/schema.js';
import { createStoreOps } from '../kysely/store-ops.js';
import { StoreChanges } from '../kysely/store-changes.js';
import type { Store, StoreOps } from '../store.js';
import { migratePostgres } from './migrations.js';
import { mapOutages, surviveConnectionLoss } from './outage-errors.js';
import { postgresHooks } from './postgres-hooks.js';
import { retryAborted } from './retry-aborted.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  url: string;
  /** Pool size; the default suits one service instance. */
  maxConnections?: number;
}

const DEFAULT_MAX_CONNECTIONS = 10;
/** pg waits forever for a connection by default; a readiness check or a start must fail instead. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Opens a connection pool (lazily: the first query connects). Call `migrate()` once at start. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // A client's error (the server restarted, a connection was killed) would otherwise crash the process; the
  // pool drops that client and the next query opens a new one.
  surviveConnectionLoss(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const changes = new StoreChanges(postgresHooks);

  // While the server is down every call answers SERVICE_UNAVAILABLE (503), and the pool reconnects by itself
  // when it is back: nothing needs a restart. A transaction PostgreSQL aborted (deadlock, serialization) runs again
  // (its changes are told only for the attempt that commits).
  const store = mapOutages(retryAborted({
    kind: 'postgres' as const,
    ...createStoreOps(db, postgresHooks, changes),
    migrate: () => migratePostgres(db as Kysely<unknown>),
    transaction: <T>(fn: (tx: StoreOps) => Promise<T>) => changes.transaction(db, (trx) => fn(createStoreOps(trx, postgresHooks, changes))),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  } satisfies Omit<Store, 'onChange'>));
  return { ...store, onChange: (listener) => changes.listen(listener) };
}
