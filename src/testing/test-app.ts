/**
 * Builds the real app on a temporary database, listening on 127.0.0.1, with a clock the test controls: a SQLite
 * file, or a fresh PostgreSQL database when the test project runs on PostgreSQL (`TESSERA_TEST_STORE`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { buildApp, type BuildAppOptions, type BuiltApp, type TesseraApp } from '../http/build-app.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { createPostgresChangeFeed } from '../store/postgres/postgres-change-feed.js';
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';
import { currentTestStore, type TestStore } from './test-stores.js';
import type { Store } from '../store/store.js';
import { createTessera, type Tessera, type TesseraOptions } from '../service/index.js';

export class TestClock {
  constructor(public ms = Date.parse('2026-06-01T12:00:00.000Z')) {}
  now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestApp {
  app: TesseraApp;
  /** How the app answers forward auth (for another server of it: listenOnSocket). */
  gateway: BuiltApp['gateway'];
  /** Every route the app registered. */
  routes: BuiltApp['routes'];
  tessera: Tessera;
  store: Store;
  clock: TestClock;
  baseUrl: string;
  /** The SQLite file (on PostgreSQL: a path in the test's temporary directory that is never created). */
  dbFile: string;
  backend: TestStore;
  /** The PostgreSQL database, when `backend` is postgres. */
  databaseUrl: string | undefined;
  rootSecret: string;
  rootId: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<TestResponse<T>>;
  /** Runs one SQL statement on the database behind the store (to tamper with it, as an attacker with access would). */
  rawSql(statement: string): Promise<void>;
  /** Creates a token with the root token (or `as`) and returns its secret and id. */
  createToken(body: Record<string, unknown>, as?: string): Promise<{ secret: string; id: string; token: any }>;
  close(): Promise<void>;
}

export async function startTestApp(
  options: { logger?: Logger; tessera?: Partial<Omit<TesseraOptions, 'store'>>; trustProxy?: BuildAppOptions['trustProxy']; tracer?: BuildAppOptions['tracer'] } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const dbFile = join(dir, 'tessera.db');
  const backend = currentTestStore();
  const databaseUrl = backend === 'postgres' ? await (await testPostgres()).createDatabase() : undefined;
  const store = databaseUrl ? await createPostgresStore({ url: databaseUrl }) : await createSqliteStore({ filename: dbFile });
  await store.migrate();
  const clock = new TestClock();
  const tessera = createTessera({
    store,
    clock,
    usageFlushIntervalMs: 50,
    // Security tests fail many authentications from 127.0.0.1 on purpose; throttling has its own test.
    authThrottle: { maxFailures: 100_000, windowMs: 60_000 },
    ...(databaseUrl ? { changeFeed: createPostgresChangeFeed({ url: databaseUrl }) } : {}),
    ...options.tessera,
    ...(options.logger ? { logger: options.logger } : {}) });
  await tessera.listenForChanges();
  const boot = await tessera.bootstrap();
  if (!boot) throw new Error('fresh database was not bootstrapped');
  const { app, gateway, routes } = await buildApp({ tessera, ...(options.logger ? { logger: options.logger } : {}), ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}), ...(options.tracer ? { tracer: options.tracer } : {}) });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });

  const request = async <T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<TestResponse<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(baseUrl + path, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };

  const testApp: TestApp = {
    app,
    gateway,
    routes,
    tessera,
    store,
    clock,
    baseUrl,
    dbFile,
    backend,
    databaseUrl,
    rootSecret: boot.root.secret,
    rootId: boot.root.token.id,
    request,
    async rawSql(statement) {
      await rawQuery(databaseUrl ?? dbFile, statement);
    },
    async createToken(body, as = boot.root.secret) {
      const res = await request('POST', '/v1/tokens', { token: as, body });
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
      return { secret: res.body.secret, id: res.body.token.id, token: res.body.token };
    },
    async close() {
      await app.close();
      await tessera.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return testApp;
}

/** The error envelope's code, for terse assertions. */
export function messageId(response: TestResponse): string | undefined {
  return response.body?.requestError?.serviceException?.messageId;
}

/**
 * A fresh, empty database on this test process's backend, named the way `databaseArgs()` takes it: a SQLite file
 * `name` in `dir` (not created yet), or the URL of a new PostgreSQL database (the same mechanism as startTestApp).
 */
export async function freshTestDatabase(dir: string, name = 'tessera.db'): Promise<string> {
  return currentTestStore() === 'postgres' ? (await testPostgres()).createDatabase() : join(dir, name);
}

/**
 * Runs one SQL statement directly on a test database (a SQLite file or a `postgres://` URL), as an attacker with
 * access to it would, and returns its rows. `$1`, `$2`… are the parameters on both backends (on SQLite they are
 * rewritten to named parameters, so write no `$n` inside string literals).
 */
export async function rawQuery<T = Record<string, unknown>>(db: string, statement: string, params: unknown[] = []): Promise<T[]> {
  if (/^postgres(ql)?:\/\//.test(db)) {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      return (await (params.length ? client.query(statement, params) : client.query(statement))).rows as T[];
    } finally {
      await client.end();
    }
  }
  const { BetterSqlite3Database: Database } = await import('../store/sqlite/better-sqlite3.js');
  const file = new Database(db, { fileMustExist: true });
  try {
    const prepared = file.prepare(statement.replace(/\$(\d+)/g, '@p$1'));
    const named = Object.fromEntries(params.map((value, i) => [`p${i + 1}`, value]));
    return prepared.reader ? (prepared.all(named) as T[]) : (prepared.run(named), []);
  } finally {
    file.close();
  }
}

let sharedPostgres: Promise<PostgresServer> | undefined;

/** The run's PostgreSQL server (see postgres-global-setup.ts), or a cluster of this process's own. */
export function testPostgres(): Promise<PostgresServer> {
  sharedPostgres ??= startPostgres().then((server) => {
    if (server === null) throw new Error('TESSERA_TEST_STORE=postgres but PostgreSQL is not installed');
    return server;
  });
  return sharedPostgres;
}
