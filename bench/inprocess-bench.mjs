// In-process bench: tessera.verify({secret}) on cached tokens against a bare sha256 + Map.get loop, same run.
// Run alone: node bench/inprocess-bench.mjs (after `npm run build`).
import * as crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createFixture, fmtInt, fmtRatio, median, table, verdict } from './lib.mjs';

export const INPROCESS_GOAL = 0.5;

const defaults = {
  tokens: 10_000,
  /** Calls per measurement, unless the time bound comes first. */
  iterations: 1_000_000,
  maxSeconds: 5,
  /** Alternating (baseline, verify) pairs; the median of each side is reported. */
  rounds: 3,
  warmupIterations: 100_000,
};

/** The floor any verify must pay: hash the presented secret, look it up. One-shot `crypto.hash` where present. */
const sha256Hex =
  typeof crypto.hash === 'function'
    ? (s) => crypto.hash('sha256', s, 'hex')
    : (s) => crypto.createHash('sha256').update(s).digest('hex');

/** Runs `step(i)` up to `iterations` times or until `maxMs`, checking the clock every 4,096 calls. */
function timeLoop(step, iterations, maxMs) {
  const started = performance.now();
  let i = 0;
  while (i < iterations) {
    const end = Math.min(iterations, i + 4096);
    for (; i < end; i++) step(i);
    if (performance.now() - started > maxMs) break;
  }
  const seconds = (performance.now() - started) / 1000;
  return { calls: i, opsPerSecond: i / seconds };
}

export async function runInprocessBench(options = {}, log = console.log) {
  const o = { ...defaults, ...options };
  const fixture = await createFixture({ count: o.tokens });
  try {
    const { tessera, secrets } = fixture;
    log(`in-process: ${fmtInt(secrets.length)} tokens created in ${(fixture.createMs / 1000).toFixed(1)} s and verified once (warm)`);
    const n = secrets.length;
    const byHash = new Map(secrets.map((s, i) => [sha256Hex(s), { index: i }]));

    // Results are folded into a sink so that neither loop can be optimised away.
    let sink = 0;
    let misses = 0;
    const baseline = (i) => {
      sink += byHash.get(sha256Hex(secrets[i % n])).index;
    };
    const verify = (i) => {
      const r = tessera.verify({ secret: secrets[i % n] });
      // A cache hit answers synchronously; a Promise here means the cache missed, which would spoil the figure.
      if (typeof r.then === 'function') {
        misses++;
        return;
      }
      if (r.valid) sink++;
    };

    const maxMs = o.maxSeconds * 1000;
    timeLoop(baseline, o.warmupIterations, maxMs);
    timeLoop(verify, o.warmupIterations, maxMs);
    const runs = { baseline: [], verify: [] };
    for (let round = 1; round <= o.rounds; round++) {
      for (const [name, step] of [['baseline', baseline], ['verify', verify]]) {
        const r = timeLoop(step, o.iterations, maxMs);
        runs[name].push(r.opsPerSecond);
        log(`in-process: round ${round} ${name.padEnd(8)} ${fmtInt(r.opsPerSecond)} ops/s (${fmtInt(r.calls)} calls)`);
      }
    }
    if (sink === 0) log('(sink 0: unexpected)');
    const base = median(runs.baseline);
    const ver = median(runs.verify);
    const ratio = ver / base;
    log('');
    log(table(['In-process (median)', 'ops/s', 'ns/op'], [
      ['baseline: sha256 + Map.get', fmtInt(base), fmtInt(1e9 / base)],
      ['verify: tessera.verify (cached)', fmtInt(ver), fmtInt(1e9 / ver)],
    ]));
    log(`verify_inprocess/baseline = ${fmtRatio(ratio)} ${verdict(ratio, INPROCESS_GOAL)}`);
    if (misses > 0) log(`WARNING: ${fmtInt(misses)} verify calls missed the cache (returned a Promise); the figure is suspect`);
    return { name: 'verify_inprocess/baseline', ratio, goal: INPROCESS_GOAL, baseline: base, verify: ver, ok: misses === 0 };
  } finally {
    await fixture.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runInprocessBench();
}
