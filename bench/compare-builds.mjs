// `node bench/compare-builds.mjs DIR_BEFORE DIR_AFTER [rounds] [seconds] [log level]`: HTTP verify of two built checkouts of
// Tessera (each DIR holds a `dist/` from `npm run build`), each started as `tessera serve` with the default environment
// on a fresh SQLite file (bench/serve.mjs), in paired alternating rounds at 50 connections; prints each round and the
// median ratio after/before. A log level, when given, is set (LOG_LEVEL) on both: it takes a change of the default
// logging out of the comparison. Used to show that a change costs nothing on the check path (bench/README.md, Tracing off).
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startServe } from './serve.mjs';

const [before, after, roundsArg = '5', secondsArg = '5', logLevel] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: node bench/compare-builds.mjs DIR_BEFORE DIR_AFTER [rounds] [seconds] [log level]');
  process.exit(2);
}
const rounds = Number(roundsArg);
const seconds = Number(secondsArg);

/** The tree's `tessera serve`, and one token it checks with one scope. */
async function start(dir) {
  const server = await startServe({ cli: join(dir, 'dist/cli/main.js'), env: logLevel ? { LOG_LEVEL: logLevel } : {} });
  const res = await fetch(`${server.base}/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.root}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'compare', scopes: ['tokens:read'] }),
  });
  const created = await res.json();
  if (!created.secret) throw new Error(`token create answered ${res.status}: ${JSON.stringify(created)}`);
  return { server, body: JSON.stringify({ token: created.secret, scopes: ['tokens:read'] }) };
}

async function run({ server, body }) {
  const r = await autocannon({
    url: `${server.base}/v1/verify`, method: 'POST', connections: 50, duration: seconds, headers: { 'content-type': 'application/json' }, body,
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`non2xx ${r.non2xx} errors ${r.errors}`);
  return { rps: r.requests.average, p99: r.latency.p99 };
}

const servers = { before: await start(before), after: await start(after) };
// Warm-up: each server's first round caches the token and compiles the hot path.
for (const s of Object.values(servers)) await run(s);
const ratios = [];
for (let i = 0; i < rounds; i++) {
  const order = i % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
  const got = {};
  for (const name of order) got[name] = await run(servers[name]);
  const ratio = got.after.rps / got.before.rps;
  ratios.push(ratio);
  console.log(`round ${i + 1}: before ${got.before.rps.toFixed(0)} req/s p99 ${got.before.p99} ms | after ${got.after.rps.toFixed(0)} req/s p99 ${got.after.p99} ms | ratio ${ratio.toFixed(3)}`);
}
ratios.sort((a, b) => a - b);
console.log(`median ratio after/before: ${ratios[Math.floor(ratios.length / 2)].toFixed(3)} (${rounds} paired rounds, ${seconds} s each, 50 connections)`);
for (const s of Object.values(servers)) await s.server.stop();
