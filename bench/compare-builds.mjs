// `node bench/compare-builds.mjs DIR_BEFORE DIR_AFTER [rounds] [seconds]`: HTTP verify of two built checkouts of
// Tessera (each DIR holds a `dist/` from `npm run build`), each started as `tessera serve` with the default environment
// on a fresh SQLite file, in paired alternating rounds at 50 connections; prints each round and the median ratio
// after/before. Used to show that a change costs nothing on the check path (bench/README.md, Tracing off).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const [before, after, roundsArg = '5', secondsArg = '5'] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: node bench/compare-builds.mjs DIR_BEFORE DIR_AFTER [rounds] [seconds]');
  process.exit(2);
}
const builds = { before, after };
const rounds = Number(roundsArg);
const seconds = Number(secondsArg);

async function start(dir) {
  const cwd = mkdtempSync(join(tmpdir(), 'ab-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TESSERA_|OTEL_|LOG_LEVEL|DATABASE_URL|PORT)/.test(k)));
  const child = spawn(process.execPath, [join(dir, 'dist/cli/main.js'), 'serve', '--json', '--port', '0'], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const banner = await new Promise((resolve, reject) => {
    let buf = '';
    child.stderr.on('data', (d) => {
      buf += d;
      for (const line of buf.split('\n').slice(0, -1)) {
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line);
        if (parsed.url) return resolve(parsed);
      }
    });
    child.on('exit', () => reject(new Error('exited: ' + buf)));
  });
  const rootSecret = banner.bootstrap.secret;
  const res = await fetch(`${banner.url}/v1/tokens`, { method: 'POST', headers: { authorization: `Bearer ${rootSecret}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ab', scopes: ['tokens:read'] }) });
  const created = await res.json();
  if (!created.secret) throw new Error('create failed ' + JSON.stringify(created) + ' banner ' + JSON.stringify(banner));
  return { child, url: banner.url, secret: created.secret };
}

async function run(s) {
  const r = await autocannon({ url: `${s.url}/v1/verify`, method: 'POST', connections: 50, duration: seconds, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: s.secret, scopes: ['tokens:read'] }) });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`non2xx ${r.non2xx} errors ${r.errors}`);
  return { rps: r.requests.average, p99: r.latency.p99 };
}

const servers = { before: await start(builds.before), after: await start(builds.after) };
// Warm-up: each server's first round caches the token and compiles the hot path.
for (const s of Object.values(servers)) await run(s);
const ratios = [];
for (let i = 0; i < rounds; i++) {
  const order = i % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
  const got = {};
  for (const name of order) got[name] = await run(servers[name]);
  ratios.push(got.after.rps / got.before.rps);
  console.log(`round ${i + 1}: before ${got.before.rps.toFixed(0)} req/s p99 ${got.before.p99} ms | after ${got.after.rps.toFixed(0)} req/s p99 ${got.after.p99} ms | ratio ${(got.after.rps / got.before.rps).toFixed(3)}`);
}
ratios.sort((a, b) => a - b);
console.log(`median ratio after/before: ${ratios[Math.floor(ratios.length / 2)].toFixed(3)} (${rounds} paired rounds, ${seconds} s each, 50 connections)`);
for (const s of Object.values(servers)) s.child.kill('SIGTERM');
