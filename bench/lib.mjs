// Shared helpers for the benchmarks: fixtures over the built service, child servers, medians, formatting.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createPostgresChangeFeed } from '../dist/store/postgres/postgres-change-feed.js';
import { createPostgresStore } from '../dist/store/postgres/postgres-store.js';
import { createSqliteStore } from '../dist/store/sqlite/sqlite-store.js';
import { createTessera, systemActor } from '../dist/service/index.js';
import { verifyOpaqueToken } from '../dist/service/verify/verify-opaque-token.js';

/** Scopes every bench token holds; the HTTP bench asks for the first one on each verify. */
export const BENCH_SCOPES = ['orders:read', 'orders:write', 'invoices:read'];

/** A TCP port free on 127.0.0.1 right now (for a child server that must be told its port). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * The store runs `synchronous = FULL`, so each created token costs an fsync: about 5 ms on this machine's
 * disk (50 s for 10,000 tokens) against 0.5 ms on tmpfs. Fixtures are throwaway, so tmpfs when there is one.
 */
export function makeTempDir(prefix) {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(base, prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A real Tessera with `count` tokens made through the service (`createToken`), then each verified once so the
 * cache holds them all: on a fresh SQLite file, or with `databaseUrl` on that (empty) PostgreSQL database, with
 * the change feed listening as `tessera serve` runs it there. Bounded by `maxMs`: throws rather than run on.
 */
export async function createFixture({ count, maxMs = 60_000, start = false, databaseUrl }) {
  const temp = makeTempDir('tessera-bench-');
  try {
    return await fillFixture(temp, { count, maxMs, start, databaseUrl });
  } catch (error) {
    temp.remove();
    throw error;
  }
}

/** Tokens created at once: 1 on SQLite (one writer anyway); on PostgreSQL, within its pool of 10 connections. */
const CREATE_CONCURRENCY = { sqlite: 1, postgres: 8 };

async function fillFixture(temp, { count, maxMs, start, databaseUrl }) {
  const store = databaseUrl
    ? await createPostgresStore({ url: databaseUrl })
    : await createSqliteStore({ filename: join(temp.dir, 'bench.sqlite') });
  await store.migrate();
  const tessera = createTessera({ store, ...(databaseUrl ? { changeFeed: createPostgresChangeFeed({ url: databaseUrl }) } : {}) });
  await tessera.listenForChanges();
  const boot = await tessera.bootstrap();
  if (!boot) throw new Error('bootstrap returned null on a fresh database');
  const actor = systemActor(boot.account.id);
  const started = performance.now();
  const secrets = [];
  const concurrency = CREATE_CONCURRENCY[databaseUrl ? 'postgres' : 'sqlite'];
  for (let i = 0; i < count; i += concurrency) {
    if (performance.now() - started > maxMs) throw new Error(`creating ${count} tokens took over ${maxMs} ms`);
    const batch = Array.from({ length: Math.min(concurrency, count - i) }, (_, j) =>
      tessera.createToken(actor, { name: `bench-${i + j}`, scopes: BENCH_SCOPES }));
    for (const { secret } of await Promise.all(batch)) secrets.push(secret);
  }
  const createMs = performance.now() - started;
  /**
   * Verifies every token once, so that all are in the token cache. `fresh`: the cache is dropped first, so every
   * entry starts its full lifetime (`TokenCache` `ttlMs`, 60 s from when it was cached) now.
   */
  const warm = async ({ fresh = false } = {}) => {
    if (fresh) tessera.ctx.tokenCache.clear();
    for (let i = 0; i < secrets.length; i += concurrency) {
      // The verify path without a usage kind: it fills the cache (and counts a use) but records no check, so
      // refilling the cache before a measured window adds no usage events a real server would not have.
      const results = await Promise.all(secrets.slice(i, i + concurrency).map((secret) => verifyOpaqueToken(tessera.ctx, { secret })));
      const failed = results.find((result) => !result.valid);
      if (failed) throw new Error(`warm-up verify returned ${failed.code}`);
    }
  };
  await warm();
  if (start) tessera.start();
  return {
    tessera,
    secrets,
    createMs,
    warm,
    close: async () => {
      await tessera.close();
      temp.remove();
    },
  };
}

/**
 * Starts `node script`, waits for its first stdout line (JSON), returns it with a `stop()`. The child also exits
 * when its stdin closes, so it never outlives this process.
 */
export function startChild(script, args = [], { readyTimeoutMs = 90_000 } = {}) {
  // BENCH_CPU_PROF=DIR: each child writes a V8 CPU profile into DIR when it exits (see README).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} not ready after ${readyTimeoutMs} ms`));
    }, readyTimeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end === -1) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      try {
        resolve(JSON.parse(buffered.slice(0, end)));
      } catch (error) {
        reject(error);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited before ready (code ${code}, signal ${signal})`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin.end();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return { child, ready, stop };
}

/** For child servers: exit when the parent goes away (stdin closes), on SIGTERM, or after `maxLifetimeMs`. */
export function exitWithParent(cleanup, maxLifetimeMs = 10 * 60_000) {
  let done = false;
  const finish = async (code) => {
    if (done) return;
    done = true;
    try {
      await cleanup();
    } finally {
      process.exit(code);
    }
  };
  process.stdin.on('end', () => void finish(0));
  process.stdin.on('close', () => void finish(0));
  process.stdin.resume();
  process.on('SIGTERM', () => void finish(0));
  process.on('SIGINT', () => void finish(130));
  setTimeout(() => void finish(1), maxLifetimeMs).unref();
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
export const fmtRatio = (n) => n.toFixed(2);

/** `verdict(0.63, 0.70)` → "MISSED (goal >= 0.70)". */
export function verdict(ratio, goal) {
  return ratio >= goal ? `met (goal >= ${goal.toFixed(2)})` : `MISSED (goal >= ${goal.toFixed(2)})`;
}

export function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
