// SDK bench: requests per second of a Fastify route protected by the SDK middleware (cached path: one token, the
// default 5 s positive cache) against the same route unprotected, in one app, same run, same load.
// Run alone: node bench/sdk-bench.mjs [--quick] (after `npm run build`).
import autocannon from 'autocannon';
import { fileURLToPath } from 'node:url';
import { fmtInt, fmtRatio, median, startChild, table, verdict } from './lib.mjs';

export const SDK_GOAL = 0.85;

/** Short rounds, alternating routes: the ratio is the median of each round's pair, so drift on a shared machine cancels. */
const defaults = { connections: 20, warmupSeconds: 1, measureSeconds: 3, rounds: 5 };

async function load(port, path, headers, seconds, connections) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    headers,
  });
  const duration = result.duration > 0 ? result.duration : seconds;
  return { rps: result.requests.total / duration, p99: result.latency.p99, bad: result.non2xx + result.errors + result.timeouts };
}

/** Resolves to `{ name, ratio, goal }` (plus the medians). */
export async function runSdkBench(options = {}, log = console.log) {
  const o = { ...defaults, ...options };
  const here = (name) => fileURLToPath(new URL(name, import.meta.url));
  const tessera = startChild(here('./gateway-servers.mjs'), ['tessera']);
  let api;
  try {
    const { port: tesseraPort, secret } = await tessera.ready;
    api = startChild(here('./sdk-server.mjs'), [`http://127.0.0.1:${tesseraPort}`]);
    const { port } = await api.ready;
    const headers = { authorization: `Bearer ${secret}` };
    for (const [path, expected] of [['/open', 200], ['/protected', 200]]) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
      if (res.status !== expected) throw new Error(`sanity check: ${path} answered ${res.status}`);
    }
    const denied = await fetch(`http://127.0.0.1:${port}/protected`);
    if (denied.status !== 401) throw new Error(`sanity check: /protected without a token answered ${denied.status}`);
    // JIT warm-up of both paths before anything counts.
    for (const name of ['open', 'protected']) await load(port, `/${name}`, headers, 2 * o.warmupSeconds, o.connections);
    const runs = { open: [], protected: [] };
    for (let round = 1; round <= o.rounds; round++) {
      for (const name of ['open', 'protected']) {
        await load(port, `/${name}`, headers, o.warmupSeconds, o.connections);
        const s = await load(port, `/${name}`, headers, o.measureSeconds, o.connections);
        runs[name].push(s);
        log(`sdk: round ${round} ${name.padEnd(9)} ${fmtInt(s.rps)} req/s  p99 ${s.p99} ms${s.bad ? `  (bad ${s.bad})` : ''}`);
      }
    }
    const pick = (name) => ({ rps: median(runs[name].map((r) => r.rps)), bad: runs[name].reduce((n, r) => n + r.bad, 0) });
    const open = pick('open');
    const guarded = pick('protected');
    const ratio = median(runs.protected.map((r, i) => r.rps / runs.open[i].rps));
    log('');
    log(table(['Fastify route (median)', 'req/s', 'bad'], [
      ['unprotected', fmtInt(open.rps), open.bad],
      ['requireScopes (cached)', fmtInt(guarded.rps), guarded.bad],
    ]));
    log(`sdk_protected/unprotected = ${fmtRatio(ratio)} (median of the rounds' ratios) ${verdict(ratio, SDK_GOAL)}`);
    if (open.bad || guarded.bad) log('WARNING: some responses were errors or non-2xx; the figures are suspect');
    return { name: 'sdk_protected/unprotected', ratio, goal: SDK_GOAL, open, protected: guarded, ok: !(open.bad || guarded.bad) };
  } finally {
    await api?.stop();
    await tessera.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  await runSdkBench(quick ? { warmupSeconds: 1, measureSeconds: 2, rounds: 1 } : {});
}
