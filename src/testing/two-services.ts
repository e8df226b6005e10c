/**
 * Two instances in one process: two stores on one fresh database of the backend under test, a service on each, their
 * timers running as a server's do (heartbeats, flushes) at `flushMs`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTessera, systemActor, type Actor, type Tessera } from '../service/index.js';
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { freshTestDatabase } from './test-app.js';

export interface TwoServices {
  a: Tessera;
  b: Tessera;
  /** The account's system actor. */
  root: Actor;
  /** Another service on the same database (not started; the caller closes it). */
  open(): Promise<Tessera>;
  close(): Promise<void>;
}

/** Bootstrapped through `a`, both started; a few heartbeats are waited so that each knows there are two. */
export async function startTwoServices(prefix: string, flushMs: number): Promise<TwoServices> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = await freshTestDatabase(dir);
  const open = async () => {
    const store = db.startsWith('postgres') ? await createPostgresStore({ url: db }) : await createSqliteStore({ filename: db });
    await store.migrate();
    return createTessera({ store, usageFlushIntervalMs: flushMs });
  };
  const a = await open();
  const b = await open();
  const boot = await a.bootstrap();
  if (!boot) throw new Error('fresh database was not bootstrapped');
  a.start();
  b.start();
  await new Promise((resolve) => setTimeout(resolve, 3 * flushMs));
  return {
    a,
    b,
    root: systemActor(boot.account.id),
    open,
    async close() {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
