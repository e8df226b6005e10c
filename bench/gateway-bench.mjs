// Gateway bench: requests per second through nginx with Tessera forward auth (auth_request, examples/nginx/) vs the
// same nginx setup proxying straight to the same upstream, in the same run. Tessera is `tessera serve` as shipped (a
// child process, default environment, fresh SQLite file) answering over TCP; beside it, a second one with the
// production setting docs/gateway.md recommends when nginx runs on the same host (TESSERA_SOCKET, with
// TESSERA_TRUSTED_PROXIES=unix) answering over its Unix socket.
// Run alone: node bench/gateway-bench.mjs [--quick] (after `npm run build`; needs Debian's nginx).
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { fileURLToPath } from 'node:url';
import { findNginx, startNginx } from './nginx.mjs';
import { fmtInt, fmtRatio, median, startChild, table, verdict } from './lib.mjs';
import { call, createTokens, startServe } from './serve.mjs';

/** Issue 17: forward auth through the shipped server at least 0.75 of nginx's direct proxy. */
export const GATEWAY_GOAL = 0.75;

/**
 * Short rounds, many of them: the machine's speed drifts within a minute, so each round's auth figures are divided
 * by the direct figure measured beside them and the medians of those paired ratios are reported (as in http-bench).
 */
const defaults = { connections: 50, warmupSeconds: 1, measureSeconds: 3, rounds: 6, tokens: 500 };

/** A shipped server with the messaging catalog and `tokens` tokens holding message:send; their secrets. */
async function startTessera(tokens, env = {}) {
  const server = await startServe({ env });
  try {
    // The catalog first: `message:send` is one of its scopes.
    const messaging = readFileSync(new URL('../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');
    await call(server, 'PUT', '/v1/catalog', { source: messaging, format: 'yaml' });
    const { secrets } = await createTokens(server, tokens, ['message:send']);
    return { server, secrets };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

const DIRECT_SITE = `
upstream api {
    server {{UPSTREAM_ADDR}};
    keepalive 64;
    keepalive_requests 100000;
}
server {
    listen {{LISTEN_ADDR}};
    location / {
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://api;
    }
}
`;

/**
 * Every token is presented on two endpoints (POST /sms/2/text/advanced and POST /whatsapp/1/message/text, both
 * granted by message:send): each connection cycles through all tokens × both calls, so the check runs on many
 * cache entries and verdicts, not one. The direct setup gets the same requests (its upstream ignores the token).
 */
function requestsFor(secrets) {
  const paths = ['/sms/2/text/advanced', '/whatsapp/1/message/text'];
  return paths.flatMap((path) => secrets.map((secret) => ({ method: 'POST', path, headers: { authorization: `Bearer ${secret}` } })));
}

async function load(port, requests, seconds, connections) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    requests,
    connections,
    duration: seconds,
    timeout: 10,
  });
  const ok = result['2xx'];
  return { rps: ok / (result.duration > 0 ? result.duration : seconds), errors: result.non2xx + result.errors + result.timeouts };
}

/** Resolves to `{ name, ratio, goal, ok }` like the other benches; `ok: false` when a side answered non-2xx. */
export async function runGatewayBench(options = {}) {
  const o = { ...defaults, ...options };
  if (findNginx() === null) {
    console.log('gateway bench skipped: nginx not installed (apt-get install -y --no-install-recommends nginx)');
    return { name: 'gateway (nginx auth/direct, TCP)', ratio: NaN, socketRatio: NaN, goal: GATEWAY_GOAL, ok: false };
  }
  const upstreamChild = startChild(fileURLToPath(new URL('./gateway-servers.mjs', import.meta.url)), ['upstream']);
  let tessera;
  let socketTessera;
  let withAuth;
  let viaSocket;
  let direct;
  try {
    const upstream = await upstreamChild.ready;
    tessera = await startTessera(o.tokens);
    // nginx's workers run as another user (nobody): the socket and its directory must be reachable by them.
    socketTessera = await startTessera(o.tokens, { TESSERA_SOCKET: 'tessera.sock', TESSERA_SOCKET_MODE: '666', TESSERA_TRUSTED_PROXIES: 'unix' });
    chmodSync(socketTessera.server.dir, 0o755);
    const upstreamAddr = `127.0.0.1:${upstream.port}`;
    withAuth = await startNginx({ tessera: `127.0.0.1:${tessera.server.port}`, upstream: upstreamAddr });
    viaSocket = await startNginx({ tessera: `unix:${join(socketTessera.server.dir, 'tessera.sock')}`, upstream: upstreamAddr });
    direct = await startNginx({ tessera: `127.0.0.1:${tessera.server.port}`, upstream: upstreamAddr, site: DIRECT_SITE });
    const setups = [['direct', direct], ['tcp', withAuth], ['socket', viaSocket]];
    const runs = { direct: [], tcp: [], socket: [] };
    let errors = 0;
    // Each setup is loaded with its own server's tokens (the direct one ignores them).
    const requests = { direct: requestsFor(tessera.secrets), tcp: requestsFor(tessera.secrets), socket: requestsFor(socketTessera.secrets) };
    for (const [name, server] of setups) await load(server.port, requests[name], o.warmupSeconds, o.connections);
    for (let round = 0; round < o.rounds; round++) {
      for (const [name, server] of round % 2 === 0 ? setups : [...setups].reverse()) {
        const r = await load(server.port, requests[name], o.measureSeconds, o.connections);
        runs[name].push(r.rps);
        errors += r.errors;
      }
    }
    const paired = (name) => median(runs[name].map((rps, i) => rps / runs.direct[i]));
    const tcp = paired('tcp');
    const socket = paired('socket');
    console.log(table(['setup', 'req/s (median)'], [
      ['nginx → upstream', fmtInt(median(runs.direct))],
      ['nginx auth_request → tessera serve, default environment (TCP), → upstream', fmtInt(median(runs.tcp))],
      ['nginx auth_request → tessera serve, TESSERA_SOCKET (Unix socket), → upstream', fmtInt(median(runs.socket))],
    ]));
    console.log(`per-round ratios, TCP: ${runs.tcp.map((r, i) => fmtRatio(r / runs.direct[i])).join(' ')}; socket: ${runs.socket.map((r, i) => fmtRatio(r / runs.direct[i])).join(' ')}`);
    console.log(`ratio auth/direct, default environment (TCP) = ${fmtRatio(tcp)}  ${verdict(tcp, GATEWAY_GOAL)}`);
    console.log(`ratio auth/direct, TESSERA_SOCKET (Unix socket) = ${fmtRatio(socket)}  ${verdict(socket, GATEWAY_GOAL)}`);
    if (errors > 0) console.log(`warning: ${errors} non-2xx or failed responses`);
    return { name: 'gateway (nginx auth/direct, TCP)', ratio: tcp, socketRatio: socket, goal: GATEWAY_GOAL, ok: errors === 0 };
  } finally {
    await withAuth?.stop();
    await viaSocket?.stop();
    await direct?.stop();
    await tessera?.server.stop();
    await socketTessera?.server.stop();
    await upstreamChild.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  await runGatewayBench(quick ? { warmupSeconds: 1, measureSeconds: 2, rounds: 2, tokens: 20 } : {});
}
