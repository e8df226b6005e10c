// HTTP bench: POST /v1/verify on the real app against a bare Fastify answering constant JSON, same run, same load.
// Run alone: node bench/http-bench.mjs (after `npm run build`).
import autocannon from 'autocannon';
import { fileURLToPath } from 'node:url';
import { BENCH_SCOPES, fmtInt, fmtRatio, median, startChild, table, verdict } from './lib.mjs';

export const HTTP_GOAL = 0.7;

const fmtMs = (ms) => ms.toFixed(2);

const defaults = {
  tokens: 10_000,
  connections: 20,
  warmupSeconds: 2,
  measureSeconds: 8,
  /** Pairs of (ceiling, verify) measurements; the median of each side is reported. */
  rounds: 2,
};

/**
 * The same requests go to both servers, so the load generator does identical work for each. One prebuilt request
 * per token; connection i cycles over its own slice of the tokens, so together they keep hitting all of them.
 * (Handing every connection the whole list makes autocannon build 10,000 requests per connection per run.)
 */
function buildRequestSlices(secrets, connections) {
  const requests = secrets.map((token) => ({
    method: 'POST',
    path: '/v1/verify',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, scopes: [BENCH_SCOPES[0]] }),
  }));
  const size = Math.ceil(requests.length / connections);
  return Array.from({ length: connections }, (_, i) => requests.slice(i * size, (i + 1) * size)).filter((s) => s.length);
}

/** Latencies in ms as floats (autocannon's own histogram rounds to whole ms, too coarse here). Bounded. */
const MAX_SAMPLES = 2_000_000;

async function load(port, slices, seconds) {
  let next = 0;
  const latencies = new Float64Array(MAX_SAMPLES);
  let samples = 0;
  const instance = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: slices.length,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    requests: [slices[0][0]],
    setupClient: (client) => client.setRequests(slices[next++ % slices.length]),
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode === 200 && samples < MAX_SAMPLES) latencies[samples++] = responseTime;
  });
  const result = await instance;
  const sorted = latencies.subarray(0, samples).sort();
  const at = (q) => (samples ? sorted[Math.min(samples - 1, Math.floor(q * samples))] : NaN);
  const duration = result.duration > 0 ? result.duration : seconds;
  return {
    rps: result.requests.total / duration,
    p50: at(0.5),
    p99: at(0.99),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** A sample of tokens must answer VALID over HTTP before anything is measured. */
async function checkValid(port, secrets) {
  const step = Math.max(1, Math.floor(secrets.length / 25));
  for (let i = 0; i < secrets.length; i += step) {
    const response = await fetch(`http://127.0.0.1:${port}/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: secrets[i], scopes: [BENCH_SCOPES[0]] }),
    });
    const body = await response.json();
    if (response.status !== 200 || body.code !== 'VALID') {
      throw new Error(`sanity check: token ${i} answered ${response.status} ${body.code ?? JSON.stringify(body)}`);
    }
  }
}

export async function runHttpBench(options = {}, log = console.log) {
  const o = { ...defaults, ...options };
  const here = (name) => fileURLToPath(new URL(name, import.meta.url));
  const verifyServer = startChild(here('./verify-server.mjs'), [String(o.tokens)]);
  const ceilingServer = startChild(here('./ceiling-server.mjs'));
  try {
    const [verifyInfo, ceilingInfo] = await Promise.all([verifyServer.ready, ceilingServer.ready]);
    log(`http: ${fmtInt(verifyInfo.secrets.length)} tokens created in ${(verifyInfo.createMs / 1000).toFixed(1)} s and verified once (warm)`);
    await checkValid(verifyInfo.port, verifyInfo.secrets);
    const slices = buildRequestSlices(verifyInfo.secrets, o.connections);
    const targets = { ceiling: ceilingInfo.port, verify: verifyInfo.port };
    const runs = { ceiling: [], verify: [] };
    for (let round = 1; round <= o.rounds; round++) {
      for (const name of ['ceiling', 'verify']) {
        await load(targets[name], slices, o.warmupSeconds);
        const s = await load(targets[name], slices, o.measureSeconds);
        runs[name].push(s);
        log(`http: round ${round} ${name.padEnd(7)} ${fmtInt(s.rps)} req/s  p50 ${fmtMs(s.p50)} ms  p99 ${fmtMs(s.p99)} ms` +
          (s.non2xx || s.errors ? `  (non-2xx ${s.non2xx}, errors ${s.errors})` : ''));
      }
    }
    const pick = (name) => {
      const list = runs[name];
      return { rps: median(list.map((r) => r.rps)), p50: median(list.map((r) => r.p50)), p99: median(list.map((r) => r.p99)),
        bad: list.reduce((n, r) => n + r.non2xx + r.errors, 0) };
    };
    const ceiling = pick('ceiling');
    const verify = pick('verify');
    const ratio = verify.rps / ceiling.rps;
    log('');
    log(table(['HTTP (median)', 'req/s', 'p50 ms', 'p99 ms', 'bad'], [
      ['ceiling: bare Fastify', fmtInt(ceiling.rps), fmtMs(ceiling.p50), fmtMs(ceiling.p99), ceiling.bad],
      ['verify: POST /v1/verify', fmtInt(verify.rps), fmtMs(verify.p50), fmtMs(verify.p99), verify.bad],
    ]));
    log(`verify_http/ceiling = ${fmtRatio(ratio)} ${verdict(ratio, HTTP_GOAL)}`);
    if (verify.bad || ceiling.bad) log('WARNING: some responses were errors or non-2xx; the figures are suspect');
    return { name: 'verify_http/ceiling', ratio, goal: HTTP_GOAL, ceiling, verify, ok: !(verify.bad || ceiling.bad) };
  } finally {
    await Promise.allSettled([verifyServer.stop(), ceilingServer.stop()]);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runHttpBench();
}
