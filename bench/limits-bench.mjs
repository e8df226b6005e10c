// Limits bench (issue 19, item 6): POST /v1/verify on `tessera serve` as shipped for tokens with one rate limit and
// credits each, against the same server's tokens without either, in paired alternating rounds; the ratio is
// limited/unlimited req/s (goal >= 0.90). The limit and the credits are far above what the run reaches, so every check
// passes, counted and spent in memory (credits written in the background). Run alone: node bench/limits-bench.mjs
// [--quick] (after `npm run build`).
import { fileURLToPath } from 'node:url';
import { BENCH_SCOPES, fmtInt, fmtRatio, median, table, verdict } from './lib.mjs';
import { buildRequestSlices, cpuMicros, load } from './http-bench.mjs';
import { call, startServe } from './serve.mjs';

export const LIMITS_GOAL = 0.9;

const defaults = { tokens: 200, connections: 50, warmupSeconds: 1, measureSeconds: 2, rounds: 20 };

/** `count` tokens made over HTTP, with `extra` fields (their limits), four at a time; their secrets. */
async function makeTokens(server, count, extra) {
  const secrets = [];
  for (let i = 0; i < count; i += 4) {
    const made = await Promise.all(
      Array.from({ length: Math.min(4, count - i) }, (_, j) => call(server, 'POST', '/v1/tokens', { name: `limits-bench-${i + j}`, scopes: BENCH_SCOPES, ...extra })),
    );
    secrets.push(...made.map((m) => m.secret));
  }
  return secrets;
}

export async function runLimitsBench(options = {}) {
  const o = { ...defaults, ...options };
  const server = await startServe();
  try {
    const plain = await makeTokens(server, o.tokens, {});
    const limited = await makeTokens(server, o.tokens, {
      limits: [{ name: 'per-minute', limit: 1_000_000_000, duration: '1m' }],
      credits: { remaining: 1_000_000_000_000 },
    });
    const first = await call(server, 'POST', '/v1/verify', { token: limited[0], scopes: [BENCH_SCOPES[0]] });
    if (first.code !== 'VALID' || first.ratelimits?.length !== 1 || first.credits === undefined) {
      throw new Error(`sanity check: a limited token answered ${JSON.stringify(first).slice(0, 300)}`);
    }
    const targets = [
      { name: 'without limits or credits', slices: buildRequestSlices(plain, o.connections), results: [] },
      { name: 'one rate limit and credits', slices: buildRequestSlices(limited, o.connections), results: [] },
    ];
    for (const target of targets) await load(server.port, target.slices, o.warmupSeconds);
    const paired = [];
    const cpuPaired = [];
    for (let round = 1; round <= o.rounds; round++) {
      for (const target of round % 2 === 1 ? targets : [...targets].reverse()) {
        // The server's CPU per request: on a shared machine it drifts far less than req/s (bench/README.md).
        const cpuBefore = cpuMicros(server.pid);
        const result = await load(server.port, target.slices, o.measureSeconds);
        target.results.push({ ...result, cpuPerRequest: (cpuMicros(server.pid) - cpuBefore) / Math.max(1, result.requests) });
      }
      paired.push(targets[1].results.at(-1).rps / targets[0].results.at(-1).rps);
      cpuPaired.push(targets[0].results.at(-1).cpuPerRequest / targets[1].results.at(-1).cpuPerRequest);
    }
    console.log(table(['verify', 'req/s (median)', 'p99 ms (median)', 'server CPU µs/req (median)', 'non-2xx'], targets.map((t) => [
      t.name,
      fmtInt(median(t.results.map((r) => r.rps))),
      median(t.results.map((r) => r.p99)).toFixed(2),
      median(t.results.map((r) => r.cpuPerRequest)).toFixed(1),
      String(t.results.reduce((n, r) => n + r.non2xx, 0)),
    ])));
    console.log(`limits: per-round ratios ${paired.map(fmtRatio).join(' ')}; CPU per request without/with ${cpuPaired.map(fmtRatio).join(' ')} (median ${fmtRatio(median(cpuPaired))})`);
    console.log(`limits: ${o.tokens} tokens each, ${o.rounds} paired rounds of ${o.measureSeconds} s on one tessera serve (SQLite, default environment)`);
    return { name: 'verify with one rate limit and credits/without', ratio: median(paired), goal: LIMITS_GOAL };
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const r = await runLimitsBench(quick ? { tokens: 40, measureSeconds: 2, rounds: 2 } : {});
  console.log(`${r.name}: ${fmtRatio(r.ratio)} ${verdict(r.ratio, r.goal)}`);
}
