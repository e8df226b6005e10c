/** Another process holds the SQLite file's write lock under a running server: writes wait a bounded time, then 503; checks keep answering. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3Types from 'better-sqlite3';
// The driver this runtime loads (better-sqlite3 12 on Node 20, 13 on Node 22+).
import { BetterSqlite3Database as BetterSqlite3 } from '../store/sqlite/better-sqlite3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { call, Ledger } from '../testing/acknowledged-writes.js';
import { currentTestStore } from '../testing/test-stores.js';

describe.skipIf(currentTestStore() !== 'sqlite')('a SQLite file locked by another process', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-lock-'));
  const dbFile = join(dir, 'tessera.db');
  let server: ServerProcess | undefined;
  let root: string;
  // The other process: a connection of the test process itself (the server is a process of its own).
  let other: BetterSqlite3Types.Database;

  beforeAll(async () => {
    const init = await runCli(['init', '--json', '--db', dbFile]);
    expect(init.code, init.stderr).toBe(0);
    root = JSON.parse(init.stdout).secret;
    server = await startServerProcess(dbFile);
    other = new BetterSqlite3(dbFile, { timeout: 0 });
  });
  afterAll(async () => {
    other?.close();
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a write 503 after waiting about 5 s, answers cached checks at once meanwhile, and recovers on release', async () => {
    const base = server!.url;
    const ledger = new Ledger();
    for (let i = 0; i < 4; i++) expect((await ledger.create(base, root, `before ${i}`)).status).toBe(201);
    const [cachedId, cached] = [...ledger.tokens][0]!;
    expect((await call(base, 'POST', '/v1/verify', undefined, { token: cached.secret })).body.code).toBe('VALID');

    other.prepare('begin immediate').run();
    const started = Date.now();
    const write = ledger.create(base, root, 'while locked');
    // While the write waits for the lock, checks of a token in memory are answered without waiting for it, and so
    // are reads of the database (WAL lets them run beside the other process's lock): the waiting write hands the one
    // connection back between its tries, as does the usage flush of these checks.
    const latencies: number[] = [];
    const reads: number[] = [];
    while (Date.now() - started < 3000) {
      let t0 = Date.now();
      expect((await call(base, 'POST', '/v1/verify', undefined, { token: cached.secret })).body.code).toBe('VALID');
      latencies.push(Date.now() - t0);
      t0 = Date.now();
      expect((await call(base, 'GET', '/v1/tokens?status=all&limit=2', root)).status).toBe(200);
      reads.push(Date.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
    const refused = await write;
    const waited = Date.now() - started;
    expect(refused.status).toBe(503);
    expect(refused.body.requestError.serviceException).toEqual({ messageId: 'SERVICE_UNAVAILABLE', text: expect.stringMatching(/locked by another process/) });
    expect(waited).toBeGreaterThanOrEqual(4500);
    expect(waited).toBeLessThan(15_000);
    expect(latencies.length).toBeGreaterThan(10);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    expect(Math.max(...reads)).toBeLessThan(1000);
    const revoke = await ledger.change(base, root, cachedId, 'revoke');
    expect(revoke.status).toBe(503);
    // Each 503 leaves a warn line naming the cause (and SQLite's code), and the per-status counter counts it.
    const unavailable = () => server!.stdout().split('\n').filter(Boolean).map((line) => JSON.parse(line))
      .filter((e) => e.level === 40 && /^service unavailable: the database is locked by another process/.test(e.msg));
    // The log reaches this process through a pipe, possibly after the answer.
    await expect.poll(() => unavailable().length, { timeout: 5000 }).toBe(2);
    expect(unavailable()).toEqual([
      expect.objectContaining({ status: 503, method: 'POST', route: '/v1/tokens', cause: expect.objectContaining({ code: expect.stringMatching(/^SQLITE_BUSY/) }) }),
      expect.objectContaining({ status: 503, method: 'POST', route: '/v1/tokens/:id/revoke' }),
    ]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(/^tessera_http_responses_total\{status="503"\} (\d+)/m.exec(metrics)?.[1]).toBe('2');
    expect((await call(base, 'GET', '/v1/audit/verify', root)).body).toMatchObject({ ok: true });

    // A lock released within the bound: the write waits for it and succeeds.
    const waiting = ledger.create(base, root, 'waits for the lock');
    await new Promise((r) => setTimeout(r, 1000));
    other.prepare('commit').run();
    expect((await waiting).status).toBe(201);
    expect((await ledger.change(base, root, cachedId, 'revoke')).status).toBe(200);
    expect((await call(base, 'POST', '/v1/verify', undefined, { token: cached.secret })).body.code).toBe('REVOKED');
    expect((await call(base, 'GET', '/v1/audit/verify', root)).body).toMatchObject({ ok: true });
    const listed = await call(base, 'GET', '/v1/tokens?status=all&limit=200', root);
    expect(listed.body.items.length).toBe(ledger.tokens.size + 1);

    // Acknowledged means durable: kill -9 and start again.
    await server!.stop('SIGKILL');
    server = await startServerProcess(dbFile);
    expect(await ledger.mismatches(server.url)).toEqual([]);
  });
});
