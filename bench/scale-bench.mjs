// Scale: many tokens in each backend. Bulk creation rate (the store's bulk insert, `insertTokens`), verify latency
// p50/p99 for uncached and cached tokens at 10,000 tokens and at the full count, and the process's resident memory.
// Usage: node bench/scale-bench.mjs [count=1000000] [--backends=sqlite,postgres] [--max-seconds=240]
import { join } from 'node:path';
import { generateSecret, hashSecret, secretHint } from '../dist/core/token-format.js';
import { createSqliteStore } from '../dist/store/sqlite/sqlite-store.js';
import { createPostgresStore } from '../dist/store/postgres/postgres-store.js';
import { createPostgresChangeFeed } from '../dist/store/postgres/postgres-change-feed.js';
import { createTessera } from '../dist/service/index.js';
import { makeTempDir } from './lib.mjs';
import { startBenchPostgres } from './pg-cluster.mjs';

const BATCH = 2000;
/** Secrets kept for the latency samples (the rest are generated, stored and forgotten). */
const SAMPLES = 5000;
const SCOPES = ['orders:read'];

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (n) => `${n.toFixed(3)} ms`;

function tokenRecord(accountId, i, secret, now) {
  return {
    token: {
      id: `tok_scale_${i}`, accountId, kind: 'standard', name: `scale ${i}`, description: null, profileId: null,
      scopes: SCOPES, deny: [], templates: [], hint: secretHint(secret), createdAt: now, updatedAt: now, validFrom: null,
      expiresAt: null, allowedIps: [], enabled: true, revokedAt: null, lastUsedAt: null, useCount: 0, createdBy: null,
      parentId: null, metadata: {}, version: 1, instance: `bench${i}`,
    },
    secret: { hash: hashSecret(secret), tokenId: `tok_scale_${i}`, accountId, createdAt: now, expiresAt: null },
  };
}

/**
 * Creates tokens [from, to) through the store's bulk insert (`insertTokens`, one transaction per BATCH);
 * keeps every `keepEvery`-th secret. Stops at `deadline`.
 */
async function fill(store, accountId, from, to, keep, keepEvery, deadline) {
  const now = new Date().toISOString();
  const random = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));
  let i = from;
  // Several batches in flight: PostgreSQL overlaps one's round trips and commit with building the next
  // (measured at 60,000 tokens: ~16,000/s with 1 lane, ~27,000/s with 4); SQLite has one writer, so 1 lane.
  const lanes = store.kind === 'postgres' ? 4 : 1;
  while (i < to && performance.now() < deadline) {
    const batches = [];
    for (let l = 0; l < lanes && i < to; l++) {
      const start = i;
      const end = Math.min(to, i + BATCH);
      i = end;
      const rows = [];
      for (let k = start; k < end; k++) {
        const secret = generateSecret('tsr', random);
        if (k % keepEvery === 0 && keep.length < SAMPLES * 2) keep.push(secret);
        rows.push(tokenRecord(accountId, k, secret, now));
      }
      batches.push(store.insertTokens(rows));
    }
    await Promise.all(batches);
  }
  return i;
}

async function latencies(tessera, secrets) {
  const out = [];
  for (const secret of secrets) {
    const t0 = performance.now();
    const r = await tessera.verify({ secret, scopes: SCOPES });
    out.push(performance.now() - t0);
    if (!r.valid) throw new Error(`verify returned ${r.code}`);
  }
  return out.sort((a, b) => a - b);
}

/** Uncached: a fresh instance (cold caches) verifies each sample once; cached: the same samples again. */
async function measure(makeStore, secrets, extra = {}) {
  const store = await makeStore();
  const tessera = createTessera({ store, ...extra });
  await tessera.listenForChanges();
  // Warm the account's catalog and both code paths on a few tokens not in the samples; without the cached
  // rounds the first measurement (at 10k) would also time the JIT compiling the cached path, and the one at the
  // full count, already compiled, would look faster than the baseline it is compared with.
  const warm = secrets.slice(0, 50);
  await latencies(tessera, warm);
  for (let round = 0; round < 40; round++) await latencies(tessera, warm);
  const sample = secrets.slice(50);
  const uncached = await latencies(tessera, sample);
  const cached = await latencies(tessera, sample);
  const rssMb = process.memoryUsage().rss / 1048576;
  await tessera.close();
  return { uncached, cached, rssMb };
}

async function runBackend(kind, count, deadline) {
  let cluster = null;
  let temp = null;
  let makeStore;
  let extra = () => ({});
  if (kind === 'sqlite') {
    temp = makeTempDir('tessera-scale-');
    const filename = join(temp.dir, 'scale.db');
    makeStore = () => createSqliteStore({ filename });
  } else {
    cluster = await startBenchPostgres();
    if (!cluster) return { kind, skipped: 'PostgreSQL not installed (apt-get install -y postgresql)' };
    makeStore = () => createPostgresStore({ url: cluster.url });
    extra = () => ({ changeFeed: createPostgresChangeFeed({ url: cluster.url }) });
  }
  try {
    const store = await makeStore();
    await store.migrate();
    const boot = await createTessera({ store }).bootstrap();
    const accountId = boot.account.id;
    const small = [];
    const big = [];
    const t0 = performance.now();
    let made = await fill(store, accountId, 0, Math.min(10_000, count), small, 1, deadline);
    const smallMs = performance.now() - t0;
    const atSmall = await measure(makeStore, small.slice(0, SAMPLES), extra());
    const t1 = performance.now();
    made = await fill(store, accountId, made, count, big, Math.max(1, Math.floor((count - 10_000) / (SAMPLES * 2))), deadline);
    const fillMs = smallMs + (performance.now() - t1);
    await store.close();
    const atFull = await measure(makeStore, big.slice(-SAMPLES), extra());
    console.log(`  ${kind}: ${made} tokens, samples ${small.length}/${big.length}, ${atSmall.uncached.length}/${atFull.uncached.length}`);
    return { kind, made, ratePerSec: made / (fillMs / 1000), atSmall, atFull };
  } finally {
    await cluster?.stop();
    temp?.remove();
  }
}

export async function runScaleBench({ count = 1_000_000, backends = ['sqlite', 'postgres'], maxSeconds = 240 } = {}) {
  const rows = [];
  for (const kind of backends) {
    const deadline = performance.now() + maxSeconds * 1000;
    console.log(`scale: ${kind}: creating up to ${count.toLocaleString()} tokens (bounded to ${maxSeconds} s)…`);
    rows.push(await runBackend(kind, count, deadline));
  }
  console.log('');
  console.log('backend   tokens      insert/s  uncached p50/p99 @10k      cached p50/p99 @10k        uncached p50/p99 @all      cached p50/p99 @all        RSS @all');
  for (const r of rows) {
    if (r.skipped) {
      console.log(`${r.kind.padEnd(9)} skipped: ${r.skipped}`);
      continue;
    }
    const pair = (s) => `${ms(pct(s, 50))} / ${ms(pct(s, 99))}`.padEnd(27);
    console.log(
      `${r.kind.padEnd(9)} ${String(r.made).padEnd(11)} ${Math.round(r.ratePerSec).toString().padEnd(9)} ` +
        `${pair(r.atSmall.uncached)}${pair(r.atSmall.cached)}${pair(r.atFull.uncached)}${pair(r.atFull.cached)}${r.atFull.rssMb.toFixed(0)} MB`,
    );
    if (r.made < count) console.log(`          (stopped at ${r.made.toLocaleString()} of ${count.toLocaleString()}: time bound reached)`);
  }
  console.log(`insert/s: tokens per second through the store's bulk insert (insertTokens, ${BATCH.toLocaleString()} per transaction), not createToken`);
  for (const r of rows.filter((row) => !row.skipped && row.kind !== 'sqlite')) {
    console.log(`${r.kind}: cached p99 at ${r.made.toLocaleString()} / at 10k = ${(pct(r.atFull.cached, 99) / pct(r.atSmall.cached, 99)).toFixed(2)}`);
  }
  const sqlite = rows.find((r) => r.kind === 'sqlite' && !r.skipped);
  const goals = sqlite
    ? {
        uncachedP99UnderFiveMs: pct(sqlite.atFull.uncached, 99) < 5,
        cachedP99Ratio: pct(sqlite.atFull.cached, 99) / pct(sqlite.atSmall.cached, 99),
      }
    : {};
  if (sqlite) {
    console.log(`goal: SQLite uncached p99 < 5 ms at ${sqlite.made.toLocaleString()} tokens: ${goals.uncachedP99UnderFiveMs ? 'MET' : 'MISSED'}`);
    console.log(`goal: cached p99 at ${sqlite.made.toLocaleString()} / at 10k = ${goals.cachedP99Ratio.toFixed(2)} (≈1 is unchanged)`);
  }
  return { name: 'scale', rows, goals };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const backends = process.argv.find((a) => a.startsWith('--backends='))?.slice(11).split(',') ?? ['sqlite', 'postgres'];
  const maxSeconds = Number(process.argv.find((a) => a.startsWith('--max-seconds='))?.slice(14) ?? 240);
  await runScaleBench({ count, backends, maxSeconds });
  process.exit(0);
}
