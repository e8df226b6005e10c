// HTTP bench: POST /v1/verify on the real app, on SQLite and on PostgreSQL, against a bare Fastify answering
// constant JSON: same run, same load, the same ceiling for both backends.
// Run alone: node bench/http-bench.mjs (after `npm run build`).
import autocannon from 'autocannon';
import { fileURLToPath } from 'node:url';
import { BENCH_SCOPES, fmtInt, fmtRatio, median, startChild, table, verdict } from './lib.mjs';

export const HTTP_GOAL = 0.7;

const fmtMs = (ms) => ms.toFixed(2);

const defaults = {
  tokens: 10_000,
  connections: 20,
  warmupSeconds: 1,
  measureSeconds: 4,
  /**
   * Rounds of (ceiling, verify on each backend) measurements, the order reversed every other round. The machine's
   * speed drifts by 2x within a minute (shared, 2 cores), so each round's verify is divided by the ceiling measured
   * right beside it, and the median of those paired ratios is the figure; many short rounds beat a few long ones.
   */
  rounds: 8,
  backends: ['sqlite', 'postgres'],
};

/** The PostgreSQL server starts a cluster and makes its tokens over a durable commit each: give it longer. */
const READY_TIMEOUT_MS = { sqlite: 90_000, postgres: 180_000 };

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

/**
 * Has a verify server refill its token cache (SIGUSR2, see verify-server.mjs) and waits for its answer. Entries
 * live 60 s from when they were cached, all 10,000 together; refilled before each of its windows, a backend is
 * always measured on a warm cache, however long the other backends' windows or its own start took.
 */
function rewarm(server, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const finish = () => {
      clearTimeout(timer);
      server.child.stdout.off('data', onData);
    };
    const onData = (chunk) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end === -1) return;
      finish();
      const answer = JSON.parse(buffered.slice(0, end));
      if (answer.warm) resolve();
      else reject(new Error(`refilling the cache failed: ${answer.error}`));
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`cache not refilled within ${timeoutMs} ms`));
    }, timeoutMs);
    server.child.stdout.on('data', onData);
    server.child.kill('SIGUSR2');
  });
}

export async function runHttpBench(options = {}, log = console.log) {
  const o = { ...defaults, ...options };
  const here = (name) => fileURLToPath(new URL(name, import.meta.url));
  const verifyServers = o.backends.map((backend) =>
    startChild(here('./verify-server.mjs'), [String(o.tokens), backend], { readyTimeoutMs: READY_TIMEOUT_MS[backend] }));
  const ceilingServer = startChild(here('./ceiling-server.mjs'));
  try {
    // A backend whose server fails to start is reported as failed; the others are still measured.
    const [ceilingInfo, ...infos] = await Promise.all([
      ceilingServer.ready,
      ...verifyServers.map((s, i) => s.ready.catch((error) => ({ backend: o.backends[i], failed: error.message }))),
    ]);
    const measured = [];
    const notMeasured = {};
    for (const [i, info] of infos.entries()) {
      if (info.skipped || info.failed) {
        log(`http: ${info.backend}: ${info.skipped ? `skipped, ${info.skipped}` : `failed: ${info.failed}`}`);
        notMeasured[info.backend] = info.skipped ? 'skipped' : 'failed';
        continue;
      }
      log(`http: ${info.backend}: ${fmtInt(info.secrets.length)} tokens created in ${(info.createMs / 1000).toFixed(1)} s and verified once (warm)`);
      await checkValid(info.port, info.secrets);
      measured.push({ name: info.backend, port: info.port, server: verifyServers[i], slices: buildRequestSlices(info.secrets, o.connections) });
    }
    if (measured.length === 0) throw new Error('no backend to measure');
    // The ceiling answers any request the same way: it gets the first backend's.
    const targets = [{ name: 'ceiling', port: ceilingInfo.port, slices: measured[0].slices }, ...measured];
    const runs = Object.fromEntries(targets.map((t) => [t.name, []]));
    for (let round = 1; round <= o.rounds; round++) {
      for (const target of round % 2 === 1 ? targets : [...targets].reverse()) {
        if (target.server) await rewarm(target.server);
        await load(target.port, target.slices, o.warmupSeconds);
        const s = await load(target.port, target.slices, o.measureSeconds);
        runs[target.name].push(s);
        log(`http: round ${round} ${target.name.padEnd(8)} ${fmtInt(s.rps)} req/s  p50 ${fmtMs(s.p50)} ms  p99 ${fmtMs(s.p99)} ms` +
          (s.non2xx || s.errors ? `  (non-2xx ${s.non2xx}, errors ${s.errors})` : ''));
      }
    }
    const pick = (name) => {
      const list = runs[name];
      return { rps: median(list.map((r) => r.rps)), p50: median(list.map((r) => r.p50)), p99: median(list.map((r) => r.p99)),
        bad: list.reduce((n, r) => n + r.non2xx + r.errors, 0) };
    };
    const ceiling = pick('ceiling');
    /** One result per backend, each against the ceiling of its own rounds; SQLite keeps the figure's historical name. */
    const results = o.backends.map((backend) => {
      const name = backend === 'sqlite' ? 'verify_http/ceiling' : `verify_http/ceiling (${backend})`;
      if (!runs[backend]) return { name, backend, skipped: notMeasured[backend] ?? 'skipped', ratio: NaN, goal: HTTP_GOAL, ok: false };
      const verify = pick(backend);
      const paired = runs[backend].map((r, i) => r.rps / runs.ceiling[i].rps);
      log(`http: ${backend} per-round ratios ${paired.map(fmtRatio).join(' ')}`);
      return { name, backend, ratio: median(paired), goal: HTTP_GOAL, verify, ok: !(verify.bad || ceiling.bad) };
    });
    log('');
    log(table(['HTTP (median)', 'req/s', 'p50 ms', 'p99 ms', 'bad'], [
      ['ceiling: bare Fastify', fmtInt(ceiling.rps), fmtMs(ceiling.p50), fmtMs(ceiling.p99), ceiling.bad],
      ...results.filter((r) => !r.skipped).map((r) =>
        [`verify: POST /v1/verify, ${r.backend}`, fmtInt(r.verify.rps), fmtMs(r.verify.p50), fmtMs(r.verify.p99), r.verify.bad]),
    ]));
    for (const r of results) log(`${r.name} = ${r.skipped ?? `${fmtRatio(r.ratio)} ${verdict(r.ratio, r.goal)}`}`);
    if (results.some((r) => !r.skipped && !r.ok)) log('WARNING: some responses were errors or non-2xx; the figures are suspect');
    // The first backend's figure at the top level, as before; every backend's in `backends`.
    const first = results[0];
    return { ...first, ceiling, backends: results };
  } finally {
    await Promise.allSettled([...verifyServers.map((s) => s.stop()), ceilingServer.stop()]);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runHttpBench();
}
