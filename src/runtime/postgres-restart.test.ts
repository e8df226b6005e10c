/** PostgreSQL restarts under load with two instances: no acknowledged write lost, no wrong answer, recovery without a restart. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { initDatabase, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { call, Ledger } from '../testing/acknowledged-writes.js';
import { currentTestStore } from '../testing/test-stores.js';

describe.skipIf(currentTestStore() !== 'postgres')('PostgreSQL restarting under load', { timeout: 180_000 }, () => {
  // A cluster of this test's own: restarting the run's shared one would fail every other test.
  let pg: PostgresServer;
  let url: string;
  let instances: ServerProcess[] = [];
  let root: string;

  beforeAll(async () => {
    pg = (await startPostgres({ private: true }))!;
    url = await pg.createDatabase();
    root = await initDatabase(url);
    instances = [await startServerProcess(url, { LOG_LEVEL: 'error' }), await startServerProcess(url, { LOG_LEVEL: 'error' })];
  });
  afterAll(async () => {
    for (const instance of instances) await instance.stop('SIGKILL');
    await pg?.stop();
  });

  it('answers every write 2xx or 503 and every check right or 503 while the database restarts, then keeps every acknowledged write', async () => {
    const ledger = new Ledger();
    const wrong: string[] = [];
    const checks = new Map<number, number>();
    let stop = false;
    // Each worker owns its tokens and checks each on the instance that wrote it, right after the acknowledged
    // write: the only right answers are the acknowledged state or 503 (a check that could not be made).
    const worker = async (w: number) => {
      const base = instances[w % 2]!.url;
      for (let i = 0; i < 10_000 && !stop; i++) {
        const created = await ledger.create(base, root, `load ${w}.${i}`).catch(() => undefined);
        const id = created?.status === 201 ? (created.body.token.id as string) : undefined;
        if (id && i % 3 !== 0) await ledger.change(base, root, id, i % 3 === 1 ? 'revoke' : 'disable').catch(() => undefined);
        for (const [tokenId, t] of id ? [[id, ledger.tokens.get(id)!] as const] : []) {
          const check = await call(base, 'POST', '/v1/verify', undefined, { token: t.secret }).catch(() => undefined);
          if (!check) continue;
          checks.set(check.status, (checks.get(check.status) ?? 0) + 1);
          if (check.status !== 503 && check.body?.code !== t.expected) wrong.push(`${tokenId}: ${check.status} ${check.body?.code} (expected ${t.expected})`);
        }
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    await new Promise((r) => setTimeout(r, 2000));
    await pg.pause!();
    // Down for certain: a write on each instance is refused (the workers' own writes may fall either side).
    for (const instance of instances) {
      const down = await ledger.create(instance.url, root, 'while down').catch((error) => {
        throw new Error(`instance gone: ${instance.stderr()} ${instance.stdout().slice(-3000)}`, { cause: error });
      });
      expect(down.status).toBe(503);
    }
    await new Promise((r) => setTimeout(r, 2000));
    await pg.resume!();
    await new Promise((r) => setTimeout(r, 4000));
    stop = true;
    await load;

    expect(wrong).toEqual([]);
    expect([...ledger.answers.keys()].every((s) => [200, 201, 503].includes(s)), JSON.stringify([...ledger.answers])).toBe(true);
    expect(ledger.answers.get(201)).toBeGreaterThan(10);
    expect([...checks.keys()].every((s) => [200, 503].includes(s))).toBe(true);

    // Recovered without a restart: both instances write again, and see each other's acknowledged writes.
    for (const instance of instances) expect((await ledger.create(instance.url, root, 'after')).status).toBe(201);
    for (const instance of instances) expect(await ledger.mismatches(instance.url)).toEqual([]);
    expect((await call(instances[0]!.url, 'GET', '/v1/audit/verify', root)).body).toMatchObject({ ok: true });

    // And after kill -9 of both instances.
    for (const instance of instances) await instance.stop('SIGKILL');
    instances = [await startServerProcess(url, { LOG_LEVEL: 'error' })];
    expect(await ledger.mismatches(instances[0]!.url)).toEqual([]);
  });
});
