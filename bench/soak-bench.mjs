// Soak: mixed traffic against `tessera serve` as shipped (the built server, default settings) for minutes, on SQLite
// and on PostgreSQL with two instances. Checks (verify, forward auth) over many tokens, with creates, rotations,
// revokes, disables, enables, catalog changes and JWT issuance mixed in; every answer is checked against what the
// token's state says at that moment. Samples RSS, heap, event-loop delay, open fds and database size every few
// seconds; prints the 5xx count, the wrong-answer count, RSS/heap growth after warm-up and p50/p99 per minute.
// Usage: node bench/soak-bench.mjs [--quick] [--minutes=N] [--backends=sqlite,postgres]. `soakSqlite` is also the one-minute soak of `npm test`
// (src/runtime/soak.test.ts).
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { makeTempDir, table } from './lib.mjs';
import { startBenchPostgres } from './pg-cluster.mjs';
import { CLI, defaultEnv, startServe } from './serve.mjs';

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
const mib = (bytes) => (bytes / 1048576).toFixed(1);

const catalog = (version) => ({
  version: 1,
  name: 'soak',
  description: `soak catalog, change ${version}`,
  scopes: [{ scope: 'orders:read' }, { scope: 'orders:write' }],
  endpoints: [
    { endpoint: 'GET /orders/{id}', scopes: ['orders:read'] },
    { endpoint: 'POST /orders', scopes: ['orders:write'] },
  ],
});

async function send(base, method, path, { token, body, headers = {} } = {}) {
  const t0 = performance.now();
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text && text.startsWith('{') ? JSON.parse(text) : undefined, ms: performance.now() - t0 };
}

/** What a check of a token in each state must answer. */
const expectedVerify = { VALID: 'VALID', REVOKED: 'REVOKED', DISABLED: 'DISABLED' };
const expectedAuthorize = { VALID: 200, REVOKED: 401, DISABLED: 401 };
const expectedIssue = { VALID: 200, REVOKED: 401, DISABLED: 401 };

/**
 * The heap kept after each full collection under traffic, one reading per collection: the samples repeat the last
 * one until the next collection, and the first is start-up's own (before any traffic).
 */
export function keptReadings(samples, instance) {
  const readings = [];
  for (const s of samples) if (s.instance === instance && Number.isFinite(s.live) && s.live !== readings.at(-1)) readings.push(s.live);
  return readings.slice(1);
}

/**
 * How much each instance's RSS and heap moved after warm-up, the largest over instances: the last third of the
 * samples over the middle third, less one. RSS and heap used are sawtooths: their means are compared. The heap kept
 * after a full collection also holds what happened to be alive or was allocated while it marked (a usage window
 * being written, requests in flight: seen 46 → 62 → 46 MiB with nothing kept), so one reading proves nothing: the
 * floor (minimum) of the later half of the readings is compared with the floor of the earlier half, and with fewer
 * than `MIN_KEPT_READINGS` collections there is no figure (NaN).
 */
export const MIN_KEPT_READINGS = 4;

export function driftAfterWarmup(samples, instances) {
  const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const each = (figure) => Math.max(...Array.from({ length: instances }, (_, i) => figure(i)));
  const drift = (key) => each((i) => {
    const mine = samples.filter((s) => s.instance === i && Number.isFinite(s[key])).map((s) => s[key]);
    const third = Math.floor(mine.length / 3);
    return third === 0 ? NaN : mean(mine.slice(-third)) / mean(mine.slice(third, 2 * third)) - 1;
  });
  const readings = Array.from({ length: instances }, (_, i) => keptReadings(samples, i));
  const kept = each((i) => {
    const mine = readings[i];
    if (mine.length < MIN_KEPT_READINGS) return NaN;
    const half = Math.floor(mine.length / 2);
    return Math.min(...mine.slice(-half)) / Math.min(...mine.slice(0, half)) - 1;
  });
  return {
    rss: drift('rss'), heap: drift('heap'), kept,
    keptReadings: Math.min(...readings.map((mine) => mine.length)),
    // Where RSS outside the used heap may go: the heap V8 has reserved, and memory held for Buffers and the like.
    heapTotal: drift('heapTotal'), external: drift('external'),
    // RSS less the heap V8 has reserved: what the process holds outside the JS heap (code, native buffers, malloc).
    outside: drift('outside'),
  };
}

/** Node flags that make `tessera serve` run a full collection on SIGUSR2 (bench/gc-on-signal.mjs). */
const GC_ON_SIGNAL = ['--expose-gc', `--import=${fileURLToPath(new URL('./gc-on-signal.mjs', import.meta.url))}`];

/**
 * `env`: only what the backend needs (its database); the servers start as the README starts them, through
 * bench/serve.mjs (the default environment, the log read as a collector reads it). `forceGc`: each sample first
 * asks every server for a full collection (SIGUSR2, bench/gc-on-signal.mjs), so every sample reads the heap kept;
 * the soak of `npm test` uses it, the bench does not (it measures the server exactly as shipped).
 */
async function soakOne({ name, env, instances, dbSize, seconds, tokens: tokenCount, sampleMs, workers = 8, creates = true, forceGc = false, log = console.log }) {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'init', '--json'], { env: defaultEnv(env) });
  const root = JSON.parse(stdout).secret;
  const servers = [];
  try {
    for (let i = 0; i < instances; i++) servers.push(await startServe({ env, root, ...(forceGc ? { nodeArgs: GC_ON_SIGNAL } : {}) }));
    const at = (i) => servers[i % servers.length].base;
    let catalogChanges = 0;
    const catalogsInFlight = new Set();
    const applied = await send(at(0), 'PUT', '/v1/catalog', { token: root, body: { document: catalog(catalogChanges) } });
    if (applied.status !== 200) throw new Error(`catalog: ${applied.status}`);

    // The model: every token's secret and state; `busy` while a change of it is in flight (its state is then unknown);
    // `changed` remembers when and where, since another instance hears of it within a second, not at once.
    const tokens = [];
    const create = async (i) => {
      const r = await send(at(i), 'POST', '/v1/tokens', { token: root, body: { name: `soak ${i}`, scopes: ['orders:read', 'tokens:issue'] } });
      if (r.status === 201) tokens.push({ id: r.body.token.id, secret: r.body.secret, state: 'VALID', busy: false, epoch: 0, changedAt: 0, changedOn: i % servers.length });
      return r;
    };
    for (let i = 0; i < tokenCount; i += 8) await Promise.all(Array.from({ length: Math.min(8, tokenCount - i) }, (_, k) => create(i + k)));

    const stats = { requests: 0, fiveXx: 0, wrong: 0, throttled: 0, unjudged: 0, examples: [], byOp: {} };
    const example = (line) => stats.examples.length < 8 && stats.examples.push(line);
    const minutes = [];
    // `racing`: the token changed while the check was in flight, so either state is a right answer. 429: the
    // shipped throttle of failed authentications per address (every client here is 127.0.0.1), counted apart.
    const note = (op, r, ok, racing = false) => {
      stats.requests++;
      stats.byOp[op] = (stats.byOp[op] ?? 0) + 1;
      const line = `${op}: ${r.status} ${JSON.stringify(r.body)?.slice(0, 160)}`;
      if (r.status >= 500) {
        stats.fiveXx++;
        example(line);
      } else if (r.status === 429) stats.throttled++;
      else if (!ok && racing) stats.unjudged++;
      else if (!ok) {
        stats.wrong++;
        example(line);
      }
    };
    const started = Date.now();
    const latency = (ms) => {
      const minute = Math.floor((Date.now() - started) / 60_000);
      (minutes[minute] ??= []).push(ms);
    };
    /** A settled token: no change in flight, and every instance has had time to hear of its last change. */
    const settled = (t, instance) => !t.busy && (instance === t.changedOn || Date.now() - t.changedAt > 2000);
    const change = async (t, instance, action) => {
      t.busy = true;
      t.epoch = (t.epoch ?? 0) + 1;
      try {
        const r = await send(at(instance), 'POST', `/v1/tokens/${t.id}/${action}`, { token: root, body: {} });
        note(action, r, r.status === 200 || (r.status === 409 && t.state === 'REVOKED'));
        if (r.status === 200) {
          if (action === 'rotate') t.secret = r.body.secret;
          else t.state = action === 'revoke' ? 'REVOKED' : action === 'disable' ? 'DISABLED' : t.state === 'REVOKED' ? 'REVOKED' : 'VALID';
          t.changedAt = Date.now();
          t.changedOn = instance % servers.length;
        }
      } finally {
        t.busy = false;
      }
    };

    const worker = async (w) => {
      for (let n = 0; Date.now() - started < seconds * 1000; n++) {
        const instance = Math.floor(Math.random() * servers.length);
        const t = tokens[Math.floor(Math.random() * tokens.length)];
        const roll = Math.random();
        try {
          if (roll < 0.45) {
            if (!settled(t, instance)) continue;
            const [state, epoch] = [t.state, t.epoch];
            const r = await send(at(instance), 'POST', '/v1/verify', { body: { token: t.secret, scopes: ['orders:read'] } });
            latency(r.ms);
            note('verify', r, r.status === 200 && r.body.code === expectedVerify[state], t.epoch !== epoch);
          } else if (roll < 0.9) {
            if (!settled(t, instance)) continue;
            const [state, epoch] = [t.state, t.epoch];
            const r = await send(at(instance), 'GET', '/v1/authorize', {
              token: t.secret,
              headers: { 'x-original-method': 'GET', 'x-original-uri': `/orders/${n}` },
            });
            latency(r.ms);
            note('authorize', r, r.status === expectedAuthorize[state], t.epoch !== epoch);
          } else if (roll < 0.93) {
            // Creates at a realistic rate, one operation in 200 (about one a second here), so the data grows as a
            // service's would; without creates the set of tokens (and what caches hold of them) is fixed, and
            // memory must level off.
            if (creates && roll < 0.905) note('create', await create(w * 1_000_000 + n), true);
          } else if (roll < 0.95) {
            if (!t.busy && t.state === 'VALID') await change(t, instance, 'rotate');
          } else if (roll < 0.96) {
            if (!t.busy && t.state === 'VALID') await change(t, instance, 'revoke');
          } else if (roll < 0.975) {
            if (!t.busy && t.state !== 'REVOKED') await change(t, instance, t.state === 'DISABLED' ? 'enable' : 'disable');
          } else if (roll < 0.977) {
            // Two applies at the same moment: one wins, the other must answer 409 CONFLICT (apply again), never 500.
            const apply = { overlapped: catalogsInFlight.size > 0 };
            for (const other of catalogsInFlight) other.overlapped = true;
            catalogsInFlight.add(apply);
            let r;
            try {
              r = await send(at(instance), 'PUT', '/v1/catalog', { token: root, body: { document: catalog(++catalogChanges) } });
            } finally {
              catalogsInFlight.delete(apply);
            }
            note('catalog', r, r.status === 200 || (r.status === 409 && apply.overlapped));
          } else {
            if (!settled(t, instance)) continue;
            const [state, epoch] = [t.state, t.epoch];
            const r = await send(at(instance), 'POST', '/v1/auth/issue-token', { token: t.secret, body: { scope: 'orders:read', expires_in: '5 minutes' } });
            note('issue-token', r, r.status === expectedIssue[state], t.epoch !== epoch);
          }
        } catch (error) {
          stats.fiveXx++;
          example(`network: ${error.message}`);
        }
      }
    };

    const samples = [];
    const sample = async () => {
      if (forceGc) {
        for (const s of servers) process.kill(s.pid, 'SIGUSR2');
        // The collection runs at the server's next turn and its figure is taken in the turn after.
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const [i, s] of servers.entries()) {
        const status = readFileSync(`/proc/${s.pid}/status`, 'utf8');
        const rss = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
        const fds = readdirSync(`/proc/${s.pid}/fd`).length;
        const metrics = await (await fetch(`${s.base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
        const metric = (m) => Number(new RegExp(`^${m} ([0-9.e+-]+)`, 'm').exec(metrics)?.[1] ?? NaN);
        samples.push({
          t: Math.round((Date.now() - started) / 1000), instance: i, rss, heap: metric('nodejs_heap_size_used_bytes'),
          heapTotal: metric('nodejs_heap_size_total_bytes'), external: metric('nodejs_external_memory_bytes'),
          outside: rss - metric('nodejs_heap_size_total_bytes'),
          live: metric('tessera_heap_after_full_gc_bytes'),
          lag: metric('nodejs_eventloop_lag_p99_seconds'), fds, db: await dbSize(),
        });
      }
    };
    const sampler = (async () => {
      while (Date.now() - started < seconds * 1000) {
        await sample().catch(() => undefined);
        await new Promise((r) => setTimeout(r, sampleMs));
      }
      await sample().catch(() => undefined);
    })();
    await Promise.all([...Array.from({ length: workers }, (_, w) => worker(w)), sampler]);

    log(`-- ${name}: ${instances} instance(s), ${tokens.length} tokens at the end, ${stats.requests} requests, ${Math.round((Date.now() - started) / 1000)} s --`);
    log(table(['t s', 'inst', 'RSS MiB', 'heap MiB', 'heap total MiB', 'external MiB', 'kept MiB', 'loop p99 ms', 'fds', 'db MiB'],
      samples.map((s) => [s.t, s.instance, mib(s.rss), mib(s.heap), mib(s.heapTotal), mib(s.external), mib(s.live), (s.lag * 1000).toFixed(1), s.fds, mib(s.db)])));
    log(table(['minute', 'checks', 'p50 ms', 'p99 ms'], minutes.map((l, m) => {
      const sorted = [...(l ?? [])].sort((a, b) => a - b);
      return [m + 1, sorted.length, pct(sorted, 50).toFixed(2), pct(sorted, 99).toFixed(2)];
    })));
    // Growth after warm-up: from the first sample past a fifth of the run to the last, per instance.
    const growth = (key) => Math.max(...servers.map((_, i) => {
      const mine = samples.filter((s) => s.instance === i);
      const from = mine.find((s) => s.t >= seconds / 5) ?? mine[0];
      return mine.at(-1)[key] - from[key];
    }));
    const drift = driftAfterWarmup(samples, servers.length);
    const result = {
      name, requests: stats.requests, fiveXx: stats.fiveXx, wrong: stats.wrong, throttled: stats.throttled, examples: stats.examples,
      rssGrowth: growth('rss'), heapGrowth: growth('heap'), drift,
    };
    log(`${name}: 5xx ${result.fiveXx}, wrong answers ${result.wrong} (${stats.unjudged} not judged: the token changed during the check), 429 ${stats.throttled}, RSS growth after warm-up ${mib(result.rssGrowth)} MiB, heap growth ${mib(result.heapGrowth)} MiB (late mean over middle mean: RSS ${(drift.rss * 100).toFixed(1)}%, heap ${(drift.heap * 100).toFixed(1)}%, heap kept after full collections ${(drift.kept * 100).toFixed(1)}% (floor of the later half of ${drift.keptReadings} collections over the earlier's), heap reserved ${(drift.heapTotal * 100).toFixed(1)}%, RSS outside the heap ${(drift.outside * 100).toFixed(1)}%, external ${(drift.external * 100).toFixed(1)}%); by operation ${JSON.stringify(stats.byOp)}`);
    for (const line of stats.examples) log(`  ${line}`);
    for (const line of servers.flatMap((s) => s.log.warnings).filter((l) => l.includes('"level":50')).slice(0, 3)) {
      const entry = JSON.parse(line);
      log(`  server log: ${entry.msg}: ${entry.err?.type ?? ''} ${entry.err?.code ?? ''} ${entry.err?.message ?? ''}`.slice(0, 300));
    }
    return result;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** One `tessera serve` on a fresh SQLite file in a temporary directory (removed after). */
export async function soakSqlite(options) {
  const temp = makeTempDir('tessera-soak-');
  const file = join(temp.dir, 'tessera.db');
  const env = { TESSERA_DB: file };
  const sizeOf = (f) => { try { return statSync(f).size; } catch { return 0; } };
  try {
    return await soakOne({ name: 'soak sqlite', env, instances: 1, dbSize: async () => sizeOf(file) + sizeOf(`${file}-wal`), ...options });
  } finally {
    temp.remove();
  }
}

export async function runSoakBench({ minutes = 10, quick = false, backends = ['sqlite', 'postgres'] } = {}) {
  const seconds = quick ? 30 : minutes * 60;
  const common = { seconds, tokens: quick ? 200 : 2000, sampleMs: quick ? 3000 : 5000 };
  const results = backends.includes('sqlite') ? [await soakSqlite(common)] : [];
  if (!backends.includes('postgres')) return results;

  const cluster = await startBenchPostgres();
  if (!cluster) {
    console.log('soak postgres: skipped, PostgreSQL not installed (apt-get install -y postgresql)');
    return results;
  }
  try {
    const env = { DATABASE_URL: cluster.url };
    const dbSize = async () => {
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      try {
        return Number((await client.query('select pg_database_size(current_database()) as size')).rows[0].size);
      } finally {
        await client.end();
      }
    };
    results.push(await soakOne({ name: 'soak postgres', env, instances: 2, dbSize, ...common }));
  } finally {
    await cluster.stop();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const minutes = Number(process.argv.find((a) => a.startsWith('--minutes='))?.slice(10) ?? 10);
  const backends = process.argv.find((a) => a.startsWith('--backends='))?.slice(11).split(',');
  await runSoakBench({ quick, minutes, ...(backends ? { backends } : {}) });
  process.exit(0);
}
