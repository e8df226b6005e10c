// Limits bench (issue 19, item 6): POST /v1/verify on `tessera serve` as shipped for tokens with one rate limit and
// credits each, against the same server's tokens without either, in paired alternating rounds; the ratio is
// limited/unlimited req/s (goal >= 0.90). The limit and the credits are far above what the run reaches, so every check
// passes, counted and spent in memory (credits written in the background). Then the two-instance accuracy figure
// (`runLimitsAccuracy`, on PostgreSQL). Run alone: node bench/limits-bench.mjs [--quick] (after `npm run build`).
import { fileURLToPath } from 'node:url';
import { BENCH_SCOPES, fmtInt, fmtRatio, median, table, verdict } from './lib.mjs';
import { buildRequestSlices, cpuMicros, load } from './http-bench.mjs';
import { startBenchPostgres } from './pg-cluster.mjs';
import { call, startServe } from './serve.mjs';

export const LIMITS_GOAL = 0.9;
/** Issue 19 item 4: with two instances, a burst split across both passes at most N × 1.1 of a limit (or balance) of N. */
export const ACCURACY_BOUND = 1.1;

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

/** A verify against `server`, answered within 10 s: its code. */
async function verifyCode(server, secret) {
  const response = await fetch(`${server.base}/v1/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: secret }),
    signal: AbortSignal.timeout(10_000),
  });
  return (await response.json()).code;
}

/**
 * Two `tessera serve` on one PostgreSQL database (a throwaway cluster, or DATABASE_URL), as docs/deploy.md runs
 * several instances; a token with a limit of N per minute and one with N credits; for each, a burst of 2.5 × N checks
 * from eight clients, four on each instance, as fast as the two answer. Prints passed ÷ N (at most 1.1 promised,
 * docs/limits.md); `null` when PostgreSQL is not installed.
 */
export async function runLimitsAccuracy({ n = 1000, log = console.log } = {}) {
  const cluster = await startBenchPostgres();
  if (!cluster) {
    log('limits accuracy: skipped, PostgreSQL not installed (apt-get install -y postgresql)');
    return null;
  }
  const servers = [];
  try {
    const env = { DATABASE_URL: cluster.url };
    servers.push(await startServe({ env }));
    servers.push(await startServe({ env, root: servers[0].root }));
    // Two flushes after both answer: each has heard the other's heartbeat and counts only its share.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const [a, b] = servers;
    const burst = async (secret) => {
      let passed = 0;
      const perClient = Math.ceil((2.5 * n) / 8);
      const client = async (server) => {
        for (let i = 0; i < perClient; i++) if ((await verifyCode(server, secret)) === 'VALID') passed++;
      };
      const started = performance.now();
      await Promise.all([a, a, a, a, b, b, b, b].map(client));
      return { passed, checks: 8 * perClient, ms: performance.now() - started };
    };
    const limited = await call(a, 'POST', '/v1/tokens', { name: 'accuracy-limit', scopes: ['a:b'], limits: [{ name: 'per-minute', limit: n, duration: '1m' }] });
    const metered = await call(a, 'POST', '/v1/tokens', { name: 'accuracy-credits', scopes: ['a:b'], credits: { remaining: n } });
    // A rate limit's burst runs within one window (at a window's end the sliding estimate lets more through, for
    // reasons other than the instances).
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 40_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoWindow + 200));
    const rate = await burst(limited.secret);
    const credits = await burst(metered.secret);
    const rows = [['rate limit, N per minute', rate], ['credits, N', credits]].map(([what, r]) => [
      what, fmtInt(n), fmtInt(r.checks), `${fmtInt(r.ms)} ms`, fmtInt(r.passed), (r.passed / n).toFixed(3),
    ]);
    log(table(['two instances on PostgreSQL', 'N', 'checks', 'burst', 'passed', 'passed ÷ N'], rows));
    return { rate: rate.passed / n, credits: credits.passed / n, bound: ACCURACY_BOUND };
  } finally {
    for (const server of servers) await server.stop();
    await cluster.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const r = await runLimitsBench(quick ? { tokens: 40, measureSeconds: 2, rounds: 2 } : {});
  console.log(`${r.name}: ${fmtRatio(r.ratio)} ${verdict(r.ratio, r.goal)}`);
  const accuracy = await runLimitsAccuracy(quick ? { n: 200 } : {});
  if (accuracy) {
    for (const [what, ratio] of [['rate limit', accuracy.rate], ['credits', accuracy.credits]]) {
      console.log(`two instances, ${what}: passed ${ratio.toFixed(3)} × N ${ratio <= accuracy.bound ? 'met' : 'MISSED'} (at most ${accuracy.bound} × N)`);
    }
  }
}
