// `npm run bench`: the verify benchmarks, each as a ratio against a baseline measured in the same run.
// Options: --only=http | --only=inprocess, --quick (a short smoke run; its figures mean little).
// Always exits 0 when the benches ran, goals met or not: a missed goal is printed as MISSED, not failed.
import { runHttpBench } from './http-bench.mjs';
import { runInprocessBench } from './inprocess-bench.mjs';
import { fmtRatio, verdict } from './lib.mjs';

const args = new Set(process.argv.slice(2));
const only = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length);
if (only !== undefined && only !== 'http' && only !== 'inprocess') {
  console.error('usage: node bench/run.mjs [--only=http|--only=inprocess] [--quick]');
  process.exit(2);
}
const quick = args.has('--quick');

// Nothing here may run unbounded: past this, the process stops (and its child servers with it, via their stdin).
const HARD_LIMIT_MS = quick ? 90_000 : 240_000;
setTimeout(() => {
  console.error(`bench: over ${HARD_LIMIT_MS / 1000} s, giving up`);
  process.exit(1);
}, HARD_LIMIT_MS).unref();

const started = performance.now();
const results = [];
if (only !== 'inprocess') {
  console.log('== HTTP: POST /v1/verify (real app) vs bare Fastify constant JSON ==');
  results.push(await runHttpBench(quick ? { tokens: 1_000, warmupSeconds: 1, measureSeconds: 2, rounds: 1 } : {}));
  console.log('');
}
if (only !== 'http') {
  console.log('== In-process: tessera.verify (cached) vs sha256 + Map.get ==');
  results.push(await runInprocessBench(quick ? { tokens: 1_000, iterations: 200_000, maxSeconds: 1, rounds: 1 } : {}));
  console.log('');
}

console.log(`== Summary (${((performance.now() - started) / 1000).toFixed(0)} s${quick ? ', --quick: figures are indicative only' : ''}) ==`);
for (const r of results) {
  console.log(`${r.name.padEnd(26)} = ${fmtRatio(r.ratio)}  ${verdict(r.ratio, r.goal)}${r.ok ? '' : '  (suspect: see warnings above)'}`);
}
