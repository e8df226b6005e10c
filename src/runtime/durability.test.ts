import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { initDatabase, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { testPostgres } from '../testing/test-app.js';
import { currentTestStore } from '../testing/test-stores.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A new database on this run's backend: a SQLite file in a new directory, or a new PostgreSQL database URL. */
async function freshDatabase(): Promise<{ dir: string; dbFile: string; root: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-proc-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const dbFile = currentTestStore() === 'postgres' ? await (await testPostgres()).createDatabase() : join(dir, 'tessera.db');
  const root = await initDatabase(dbFile);
  return { dir, dbFile, root };
}

async function serve(dbFile: string, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const server = await startServerProcess(dbFile, env);
  cleanups.push(() => server.stop('SIGKILL'));
  return server;
}

const json = (token: string | undefined, body?: unknown) => ({
  method: body === undefined ? 'GET' : 'POST',
  headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  signal: AbortSignal.timeout(5000),
});

describe('secrets stay secret', () => {
  it('a created or rotated secret appears nowhere in the logs or the database files', async () => {
    const { dir, dbFile, root } = await freshDatabase();
    const server = await serve(dbFile, { LOG_LEVEL: 'trace' });
    const secrets: string[] = [];
    await fetch(`${server.url}/v1/account/policy`, { ...json(root, { allowQueryToken: true }), method: 'PATCH' });
    for (let i = 0; i < 3; i++) {
      const created: any = await (await fetch(`${server.url}/v1/tokens`, json(root, { name: `leak ${i}`, scopes: ['tokens:read'] }))).json();
      secrets.push(created.secret);
      await fetch(`${server.url}/v1/verify`, json(undefined, { token: created.secret, scopes: ['nope:x'] }));
      await fetch(`${server.url}/v1/tokens?access_token=${created.secret}`, { signal: AbortSignal.timeout(5000) });
      await fetch(`${server.url}/v1/tokens`, json(created.secret, { name: 'escalate', scopes: ['*'] }));
      const rotated: any = await (await fetch(`${server.url}/v1/tokens/${created.token.id}/rotate`, json(root, { overlapSeconds: 5 }))).json();
      secrets.push(rotated.secret);
      await fetch(`${server.url}/v1/tokens/${created.token.id}`, json(rotated.secret));
    }
    await server.stop('SIGTERM');
    const logs = server.stdout();
    expect(logs.length).toBeGreaterThan(1000);
    expect(logs).toContain('"reqId"');
    const files = dbFile.startsWith('postgres') ? [await databaseText(dbFile)] : readdirSync(dir).map((name) => readFileSync(join(dir, name)).toString('latin1'));
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(server.stderr()).not.toContain(secret);
      for (const file of files) expect(file.includes(secret)).toBe(false);
    }
  });
});

describe('durability', () => {
  it('every token whose create got a 201 still verifies after kill -9 mid-loop', async () => {
    const { dbFile, root } = await freshDatabase();
    const server = await serve(dbFile);
    const acknowledged: string[] = [];
    // Four clients create concurrently; the kill lands while requests are in flight.
    const killer = setTimeout(() => server.child.kill('SIGKILL'), 1500);
    const worker = async (w: number) => {
      for (let i = 0; i < 1000; i++) {
        try {
          const res = await fetch(`${server.url}/v1/tokens`, json(root, { name: `crash ${w}.${i}`, scopes: ['a:b'] }));
          if (res.status === 201) acknowledged.push(((await res.json()) as { secret: string }).secret);
        } catch {
          return; // the server is gone
        }
      }
    };
    const loop = Promise.all([0, 1, 2, 3].map(worker));
    await loop;
    clearTimeout(killer);
    await server.stop('SIGKILL');
    expect(acknowledged.length).toBeGreaterThan(5);

    const again = await serve(dbFile);
    for (const secret of acknowledged) {
      const result: any = await (await fetch(`${again.url}/v1/verify`, json(undefined, { token: secret }))).json();
      expect(result.code).toBe('VALID');
    }
  });
});

/** Every row of every table of a PostgreSQL database, as text, for the same "no secret anywhere" check. */
async function databaseText(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>(`select tablename from pg_tables where schemaname = 'public'`);
    expect(tables.rows.length).toBeGreaterThan(5);
    let text = '';
    for (const { tablename } of tables.rows) {
      const rows = await client.query<{ t: string }>(`select t::text as t from "${tablename}" t`);
      text += rows.rows.map((r) => r.t).join('\n');
    }
    return text;
  } finally {
    await client.end();
  }
}
