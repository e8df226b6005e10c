// Propagation: two `tessera serve` processes on one PostgreSQL database. Each round creates a token on A,
// caches it on B, revokes it on A and polls B until it answers REVOKED; prints p50/p99/max of that delay.
// Usage: node bench/propagation-bench.mjs [rounds=100]
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './lib.mjs';
import { startBenchPostgres } from './pg-cluster.mjs';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];


async function serve(url) {
  const port = await freePort();
  const env = { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'error' };
  delete env.TESSERA_DB;
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port)], { env, stdio: ['ignore', 'ignore', 'ignore'] });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { base, stop: () => child.kill('SIGKILL') };
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

const post = async (base, path, body, token) => {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return res.json();
};

export async function runPropagationBench({ rounds = 100 } = {}) {
  const cluster = await startBenchPostgres();
  if (!cluster) {
    console.log('propagation: skipped, PostgreSQL not installed (apt-get install -y postgresql)');
    return { name: 'propagation', skipped: true };
  }
  const servers = [];
  try {
    const env = { ...process.env, DATABASE_URL: cluster.url };
    delete env.TESSERA_DB;
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'init', '--json'], { env });
    const root = JSON.parse(stdout).secret;
    const a = await serve(cluster.url);
    servers.push(a);
    const b = await serve(cluster.url);
    servers.push(b);
    const delays = [];
    const started = Date.now();
    for (let i = 0; i < rounds && Date.now() - started < 120_000; i++) {
      const made = await post(a.base, '/v1/tokens', { name: `prop ${i}`, scopes: ['tokens:read'] }, root);
      if ((await post(b.base, '/v1/verify', { token: made.secret })).code !== 'VALID') throw new Error('not VALID on B');
      const t0 = performance.now();
      await post(a.base, `/v1/tokens/${made.token.id}/revoke`, {}, root);
      for (;;) {
        if ((await post(b.base, '/v1/verify', { token: made.secret })).code === 'REVOKED') break;
        if (performance.now() - t0 > 5000) throw new Error('revoke never reached B');
      }
      delays.push(performance.now() - t0);
    }
    delays.sort((x, y) => x - y);
    const r = { p50: pct(delays, 50), p99: pct(delays, 99), max: delays.at(-1) };
    console.log(`propagation (revoke on A → REVOKED on B, ${delays.length} rounds, includes A's revoke call): ` +
      `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms; goal p99 < 1000 ms: ${r.p99 < 1000 ? 'MET' : 'MISSED'}`);
    return { name: 'propagation', ...r, rounds: delays.length };
  } finally {
    for (const s of servers) s.stop();
    await cluster.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runPropagationBench({ rounds: Number(process.argv[2] ?? 100) });
  process.exit(0);
}
