/** The SQLite file's disk fills up under a running server: 503s that change nothing, checks still answered, recovery without a restart. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { call, Ledger } from '../testing/acknowledged-writes.js';
import { mountSmallDisk, SMALL_DISK_SKIP_MESSAGE } from '../testing/small-disk.js';
import { currentTestStore } from '../testing/test-stores.js';

const disk = currentTestStore() === 'sqlite' ? mountSmallDisk(4) : null;
if (currentTestStore() === 'sqlite' && disk === null) console.warn(SMALL_DISK_SKIP_MESSAGE);

describe.skipIf(disk === null)('a full disk under SQLite', { timeout: 120_000 }, () => {
  const dbFile = join(disk?.dir ?? '', 'tessera.db');
  let server: ServerProcess | undefined;
  let root: string;

  beforeAll(async () => {
    const init = await runCli(['init', '--json', '--db', dbFile]);
    expect(init.code, init.stderr).toBe(0);
    root = JSON.parse(init.stdout).secret;
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    disk?.unmount();
  });

  it('answers writes 503 without applying them, keeps answering checks, recovers when space is back, and loses no acknowledged write', async () => {
    server = await startServerProcess(dbFile);
    const ledger = new Ledger();
    for (let i = 0; i < 5; i++) expect((await ledger.create(server.url, root, `before ${i}`)).status).toBe(201);
    const [cachedId, cached] = [...ledger.tokens][0]!;
    expect((await call(server.url, 'POST', '/v1/verify', undefined, { token: cached.secret })).body.code).toBe('VALID');

    expect(disk!.fill()).toBeGreaterThan(0);
    // The WAL may still have room for a few writes; the first refused one shows the disk is full.
    let refused: { status: number; body: any } | undefined;
    for (let i = 0; i < 2000 && !refused; i++) {
      const answer = await ledger.create(server.url, root, `filling ${i}`);
      if (answer.status !== 201) refused = answer;
    }
    expect(refused?.status).toBe(503);
    expect(refused?.body.requestError.serviceException).toEqual({ messageId: 'SERVICE_UNAVAILABLE', text: expect.stringMatching(/disk is full/) });

    // Every kind of write while full: each is acknowledged (and kept) or refused with 503 — never a 500.
    const touched = new Set([cachedId]);
    for (let i = 0; i < 10; i++) {
      await ledger.create(server.url, root, `full ${i}`);
      const id = ledger.someValid(touched);
      if (id) {
        touched.add(id);
        await ledger.change(server.url, root, id, i % 2 === 0 ? 'revoke' : 'disable');
      }
    }
    expect([...ledger.answers.keys()].every((s) => [200, 201, 503].includes(s)), JSON.stringify([...ledger.answers])).toBe(true);
    expect(ledger.answers.get(503)).toBeGreaterThan(1);

    // Checks of a token in memory keep answering; reads too; the audit chain holds.
    for (let i = 0; i < 20; i++) expect((await call(server.url, 'POST', '/v1/verify', undefined, { token: cached.secret })).body.code).toBe('VALID');
    expect((await call(server.url, 'GET', '/v1/audit/verify', root)).body).toMatchObject({ ok: true });
    const listed = await call(server.url, 'GET', '/v1/tokens?status=all&limit=200', root);
    expect(listed.status).toBe(200);
    // Nothing half-applied: exactly the acknowledged creates exist (plus the root token).
    expect(listed.body.items.length).toBe(ledger.tokens.size + 1);
    expect(await ledger.mismatches(server.url)).toEqual([]);

    disk!.free();
    const after = await ledger.create(server.url, root, 'space is back');
    expect(after.status).toBe(201);
    expect((await ledger.change(server.url, root, ledger.someValid(touched)!, 'revoke')).status).toBe(200);
    expect((await call(server.url, 'GET', '/v1/audit/verify', root)).body).toMatchObject({ ok: true });
    // Each 503 left a warn line naming the cause and SQLite's code; the per-status counter has no 500.
    const logged = server.stdout().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    const unavailable = logged.filter((e) => e.level === 40 && e.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    expect(unavailable[0]).toMatchObject({ cause: { code: expect.stringMatching(/^SQLITE_/) } });
    expect(logged.filter((e) => (e.level as number) >= 50)).toEqual([]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^tessera_http_responses_total\{status="503"\} [1-9]/m);
    expect(metrics).not.toMatch(/^tessera_http_responses_total\{status="500"\}/m);

    // Acknowledged means durable: kill -9, start again on the same file, every acknowledged write is there.
    await server.stop('SIGKILL');
    server = await startServerProcess(dbFile);
    expect(await ledger.mismatches(server.url)).toEqual([]);
    expect((await call(server.url, 'GET', '/v1/audit/verify', root)).body).toMatchObject({ ok: true });
  });
});
