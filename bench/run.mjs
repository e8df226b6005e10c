// `npm run bench`: every benchmark the issues name, each reporting a ratio against a baseline measured in the
// same run (or a plain figure where the issue asks for one). Benchmarks are not tests: a missed goal is printed
// as MISSED and the run still exits 0.
// Options: --only=NAME[,NAME] (http, inprocess, catalog, gateway, jwt, limits, propagation, scale, sdk, soak), --quick (short
// smoke runs whose figures mean little), --scale-count=N (tokens per backend for the scale bench, default 1,000,000),
// --soak-minutes=N (per backend, default 10; --quick: 30 s each).
import { runCatalogBench } from './catalog-bench.mjs';
import { runGatewayBench } from './gateway-bench.mjs';
import { LOOP_DELAY_GOAL_MS, runHttpBench } from './http-bench.mjs';
import { runInprocessBench } from './inprocess-bench.mjs';
import { runJwtBench } from './jwt-bench.mjs';
import { runLimitsAccuracy, runLimitsBench } from './limits-bench.mjs';
import { fmtRatio, verdict } from './lib.mjs';
import { runPropagationBench } from './propagation-bench.mjs';
import { runScaleBench } from './scale-bench.mjs';
import { runSdkBench } from './sdk-bench.mjs';
import { runSoakBench } from './soak-bench.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = argv.includes('--quick');
const scaleCount = Number(flag('scale-count') ?? (quick ? 20_000 : 1_000_000));

/** Each bench returns summary lines `[label, value, verdict]`. */
const benches = {
  http: async () => {
    const r = await runHttpBench(quick ? { tokens: 1_000, warmupSeconds: 1, measureSeconds: 2, rounds: 1, pacedRounds: 1 } : {});
    // One line per backend against the same ceiling: verify_http/ceiling (SQLite), then verify_http/ceiling (postgres);
    // then the event-loop delay while every token is checked once a second (issue 17 item 4).
    return r.backends.flatMap((b) => [
      [b.name, b.skipped ?? fmtRatio(b.ratio), b.skipped ? '' : verdict(b.ratio, b.goal)],
      ...(b.skipped ? [] : [[`${b.name.replace('verify_http/ceiling', 'verify_http loop delay p99 ms, paced')}`, b.pacedDelay.worst.toFixed(2),
        `${b.pacedDelay.worst < LOOP_DELAY_GOAL_MS ? 'met' : 'MISSED'} (goal < ${LOOP_DELAY_GOAL_MS} ms)`]]),
    ]);
  },
  inprocess: async () => {
    const r = await runInprocessBench(quick ? { tokens: 1_000, iterations: 200_000, maxSeconds: 1, rounds: 1 } : {});
    return [[r.name, fmtRatio(r.ratio), verdict(r.ratio, r.goal)]];
  },
  catalog: async () => {
    const { lines, ratios } = await runCatalogBench();
    for (const line of lines) console.log(line);
    const goals = { tesseraPerBest: '>= 2.00', matchSlowdown: '<= 2.00' };
    const met = { tesseraPerBest: ratios.tesseraPerBest >= 2, matchSlowdown: ratios.matchSlowdown <= 2 };
    return Object.entries(ratios).map(([name, value]) => [
      `catalog ${name}`,
      typeof value === 'number' ? fmtRatio(value) : String(value),
      name in goals ? `${met[name] ? 'MET' : 'MISSED'} (goal ${goals[name]})` : '',
    ]);
  },
  gateway: async () => {
    const r = await runGatewayBench(quick ? { warmupSeconds: 1, measureSeconds: 2, rounds: 2, tokens: 20 } : {});
    if (Number.isNaN(r.ratio)) return [[r.name, 'skipped', '']];
    return [
      [r.name, fmtRatio(r.ratio), verdict(r.ratio, r.goal)],
      ['gateway (nginx auth/direct, TESSERA_SOCKET)', fmtRatio(r.socketRatio), verdict(r.socketRatio, r.goal)],
    ];
  },
  jwt: async () => {
    const r = await runJwtBench(quick ? { iterations: 20_000, maxSeconds: 1 } : {});
    return [[r.name, `${Math.round(r.perSecond).toLocaleString('en-US')}/s`, '']];
  },
  propagation: async () => {
    const r = await runPropagationBench({ rounds: quick ? 10 : 100 });
    return [['propagation p99 (revoke on A, seen on B)', r.skipped ? 'skipped' : `${r.p99.toFixed(1)} ms`, r.skipped ? '' : r.p99 < 1000 ? 'MET (goal < 1000 ms)' : 'MISSED (goal < 1000 ms)']];
  },
  scale: async () => {
    await runScaleBench({ count: scaleCount, maxSeconds: quick ? 30 : 600 });
    return [[`scale (${scaleCount.toLocaleString('en-US')} tokens per backend)`, 'see table above', '']];
  },
  soak: async () => {
    const results = await runSoakBench({ quick, minutes: Number(flag('soak-minutes') ?? 10) });
    const percent = (x) => `${(x * 100).toFixed(1)}%`;
    return results.flatMap((r) => [
      [`${r.name} (5xx / wrong answers)`, `${r.fiveXx} / ${r.wrong}`, r.fiveXx === 0 && r.wrong === 0 ? 'met (goal 0 / 0)' : 'MISSED (goal 0 / 0)'],
      [
        `${r.name} memory after warm-up (RSS / heap kept after full GC)`,
        `${percent(r.drift.rss)} / ${percent(r.drift.kept)}`,
        Math.max(r.drift.rss, r.drift.kept) <= 0.1 ? 'met (goal flat within 10%)' : 'MISSED (goal flat within 10%)',
      ],
    ]);
  },
  limits: async () => {
    const r = await runLimitsBench(quick ? { tokens: 40, measureSeconds: 2, rounds: 2 } : {});
    const rows = [[r.name, fmtRatio(r.ratio), verdict(r.ratio, r.goal)]];
    const accuracy = await runLimitsAccuracy(quick ? { n: 200 } : {});
    if (accuracy) {
      for (const [what, ratio] of [['rate limit', accuracy.rate], ['credits', accuracy.credits]]) {
        rows.push([`two instances, burst split across both: ${what} passed ÷ N`, ratio.toFixed(3), ratio <= accuracy.bound ? `met (at most ${accuracy.bound})` : `MISSED (at most ${accuracy.bound})`]);
      }
    }
    return rows;
  },
  sdk: async () => {
    const r = await runSdkBench(quick ? { warmupSeconds: 1, measureSeconds: 2, rounds: 1 } : {});
    return [[r.name, fmtRatio(r.ratio), verdict(r.ratio, r.goal)]];
  },
};

// The soak runs only when named (--only=soak): its ten minutes per backend would double a full run.
const only = flag('only')?.split(',') ?? Object.keys(benches).filter((name) => name !== 'soak');
const unknown = only.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}

// Nothing here may run unbounded: past this, the process stops (and its child servers with it, via their stdin).
const soakMs = only.includes('soak') ? (quick ? 2 : 2 * Number(flag('soak-minutes') ?? 10) + 5) * 60_000 : 0;
const HARD_LIMIT_MS = (quick ? 5 * 60_000 : 40 * 60_000) + soakMs;
setTimeout(() => {
  console.error(`bench: over ${HARD_LIMIT_MS / 60_000} min, giving up`);
  process.exit(1);
}, HARD_LIMIT_MS).unref();

const started = performance.now();
const summary = [];
for (const name of only) {
  console.log(`== ${name} ==`);
  try {
    summary.push(...(await benches[name]()));
  } catch (error) {
    console.log(`${name}: failed: ${error instanceof Error ? error.message : String(error)}`);
    summary.push([name, 'failed', '']);
  }
  console.log('');
}

console.log(`== Summary (${((performance.now() - started) / 1000).toFixed(0)} s${quick ? ', --quick: figures are indicative only' : ''}) ==`);
for (const [label, value, outcome] of summary) console.log(`${label.padEnd(44)} = ${value}  ${outcome}`);
