// `tessera serve` as the README starts it, for the benches that measure the shipped server: the built CLI
// (`node dist/cli/main.js serve`) in a child process, in a fresh working directory (so the default
// `./data/tessera.db` is a fresh SQLite file), with the default environment: every Tessera variable, LOG_LEVEL,
// DATABASE_URL and OTEL_* are removed, then only the `env` a variant names is added.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTessera, systemActor } from '../dist/service/index.js';
import { createPostgresStore } from '../dist/store/postgres/postgres-store.js';
import { createSqliteStore } from '../dist/store/sqlite/sqlite-store.js';
import { freePort, makeTempDir } from './lib.mjs';

export const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** prom-client's `monitorEventLoopDelay` resolution (its default, which metrics.ts keeps): every sample includes it. */
export const LOOP_DELAY_RESOLUTION_MS = 10;

const configured = /^(TESSERA_|OTEL_)|^(LOG_LEVEL|DATABASE_URL|PORT|HOST)$/;

/** The environment `tessera serve` gets as the README starts it (no Tessera settings), plus `overrides`. */
export function defaultEnv(overrides = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !configured.test(name)));
  return { ...env, ...overrides };
}

/** Children still running; killed should this process exit without stopping them. */
const live = new Set();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts the server and waits for its banner (`--json`: one JSON line on stderr with the URL and, on a fresh
 * database, the root token). Its log (stdout, JSON lines) is read and counted, as a log collector would read it;
 * lines at warn and above are kept (the first 20) to explain a failure.
 * `cli`: the built CLI to start (default: this tree's; bench/compare-builds.mjs starts another tree's). `nodeArgs`: for
 * node itself, before the CLI (only the soak test's instrument uses them).
 */
export async function startServe({ env = {}, readyTimeoutMs = 60_000, temp = makeTempDir('tessera-serve-'), root, cli = CLI, nodeArgs = [] } = {}) {
  const port = await freePort();
  // BENCH_CPU_PROF=DIR: the server writes a V8 CPU profile into DIR when it exits (bench/README.md, Profiling).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, ...nodeArgs, cli, 'serve', '--port', String(port), '--json'], {
    cwd: temp.dir,
    env: defaultEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  void exited.then(() => live.delete(child));
  const log = { lines: 0, bytes: 0, warnings: [] };
  let partial = '';
  child.stdout.on('data', (chunk) => {
    log.bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) log.lines++;
    // Only the level is looked at, and only while few warnings are kept: reading costs this process little.
    if (log.warnings.length >= 20) return;
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop().slice(-4096);
    for (const line of lines) if (/"level":(40|50|60)/.test(line) && log.warnings.length < 20) log.warnings.push(line);
  });
  let stderr = '';
  const banner = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tessera serve not ready after ${readyTimeoutMs} ms: ${stderr}`)), readyTimeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      // The banner is the first JSON line naming a URL; a runtime warning may come before it.
      for (const line of stderr.split('\n').slice(0, -1)) {
        let parsed;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue;
        }
        if (typeof parsed?.url !== 'string') continue;
        clearTimeout(timer);
        child.stderr.removeAllListeners('data');
        // BENCH_SERVER_STDERR=1: the server's stderr after its banner goes to this process's (a profiling aid).
        if (process.env.BENCH_SERVER_STDERR) child.stderr.pipe(process.stderr);
        else child.stderr.resume();
        resolve(parsed);
        return;
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`tessera serve exited before ready (code ${code}, signal ${signal}): ${stderr}`));
    });
  }).catch((error) => {
    child.kill('SIGKILL');
    temp.remove();
    throw error;
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    pid: child.pid,
    /** The root token of the fresh database (or of the prefilled one). */
    root: root ?? banner.bootstrap?.secret,
    log,
    dir: temp.dir,
    /** SIGTERM, as an orchestrator stops it (pending usage written, database closed); SIGKILL after 15 s. */
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      temp.remove();
    },
  };
}

/** A JSON call with the root token; throws on a non-2xx answer. */
export async function call(server, method, path, body) {
  const response = await fetch(server.base + path, {
    method,
    headers: { authorization: `Bearer ${server.root}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** `count` tokens holding `scopes`, made through `POST /v1/tokens` (a few at a time), within `maxMs`; their secrets. */
export async function createTokens(server, count, scopes, { maxMs = 180_000, concurrency = 4 } = {}) {
  const started = performance.now();
  const secrets = [];
  for (let i = 0; i < count; i += concurrency) {
    if (performance.now() - started > maxMs) throw new Error(`creating ${count} tokens took over ${maxMs} ms`);
    const batch = Array.from({ length: Math.min(concurrency, count - i) }, (_, j) =>
      call(server, 'POST', '/v1/tokens', { name: `bench-${i + j}`, scopes }));
    for (const created of await Promise.all(batch)) secrets.push(created.secret);
  }
  return { secrets, createMs: performance.now() - started };
}

/**
 * The server's event-loop delay p99 since the previous call, from its own `/metrics` (prom-client samples it with
 * `perf_hooks.monitorEventLoopDelay` and resets the histogram at each scrape), in ms beyond the sampling interval.
 */
export async function loopDelayP99(server) {
  const text = await (await fetch(`${server.base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const p99 = Number(/^nodejs_eventloop_lag_p99_seconds ([0-9.e+-]+)/m.exec(text)?.[1] ?? NaN);
  return Math.max(0, p99 * 1000 - LOOP_DELAY_RESOLUTION_MS);
}

/**
 * A working directory whose default database (`./data/tessera.db`, or the PostgreSQL database at `databaseUrl`)
 * already holds `count` tokens holding `scopes`, made through the service's `createToken` as the API makes them
 * (audit chain and all) but without HTTP: 10,000 creations over HTTP took over three minutes on the loaded 2-core
 * machine. For {@link startServe}: `{ temp, root, secrets }`.
 */
export async function prefill(count, scopes, { databaseUrl, maxMs = 300_000 } = {}) {
  const temp = makeTempDir('tessera-serve-');
  mkdirSync(join(temp.dir, 'data'));
  const store = databaseUrl ? await createPostgresStore({ url: databaseUrl }) : await createSqliteStore({ filename: join(temp.dir, 'data', 'tessera.db') });
  const tessera = createTessera({ store });
  try {
    await store.migrate();
    const boot = await tessera.bootstrap();
    if (!boot) throw new Error('the bench database was not empty');
    const actor = systemActor(boot.account.id);
    // One at a time on SQLite (one writer anyway); within the pool of 10 connections on PostgreSQL.
    const concurrency = databaseUrl ? 8 : 1;
    const started = performance.now();
    const secrets = [];
    for (let i = 0; i < count; i += concurrency) {
      if (performance.now() - started > maxMs) throw new Error(`creating ${count} tokens took over ${maxMs} ms`);
      const batch = Array.from({ length: Math.min(concurrency, count - i) }, (_, j) => tessera.createToken(actor, { name: `bench-${i + j}`, scopes }));
      for (const { secret } of await Promise.all(batch)) secrets.push(secret);
    }
    return { temp, root: boot.root.secret, secrets, createMs: performance.now() - started };
  } catch (error) {
    temp.remove();
    throw error;
  } finally {
    await tessera.close();
  }
}
