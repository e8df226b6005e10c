// Gateway bench: requests per second through nginx with Tessera forward auth (auth_request, examples/nginx/) vs the
// same nginx setup proxying straight to the same upstream, in the same run; the auth subrequest both over TCP and
// over Tessera's Unix socket (TESSERA_SOCKET, the setup docs/gateway.md recommends when nginx runs on the same
// host). Run alone: node bench/gateway-bench.mjs (after `npm run build`; needs Debian's nginx).
import autocannon from 'autocannon';
import { fileURLToPath } from 'node:url';
import { findNginx, startNginx } from './nginx.mjs';
import { fmtInt, fmtRatio, median, startChild, table, verdict } from './lib.mjs';

export const GATEWAY_GOAL = 0.6;

/**
 * Short rounds, many of them: the machine's speed drifts within a minute, so each round's auth figures are divided
 * by the direct figure measured beside them and the medians of those paired ratios are reported (as in http-bench).
 */
const defaults = { connections: 20, warmupSeconds: 1, measureSeconds: 3, rounds: 6, tokens: 500 };

const DIRECT_SITE = `
upstream api {
    server {{UPSTREAM_ADDR}};
    keepalive 32;
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
    return { name: 'gateway (nginx auth/direct, Unix socket)', ratio: NaN, tcpRatio: NaN, goal: GATEWAY_GOAL, ok: false };
  }
  const tesseraChild = startChild(fileURLToPath(new URL('./gateway-servers.mjs', import.meta.url)), ['tessera', `--tokens=${o.tokens}`]);
  const upstreamChild = startChild(fileURLToPath(new URL('./gateway-servers.mjs', import.meta.url)), ['upstream']);
  let withAuth;
  let viaSocket;
  let direct;
  try {
    const [tessera, upstream] = await Promise.all([tesseraChild.ready, upstreamChild.ready]);
    const addrs = { tessera: `127.0.0.1:${tessera.port}`, upstream: `127.0.0.1:${upstream.port}` };
    withAuth = await startNginx(addrs);
    viaSocket = await startNginx({ ...addrs, tessera: `unix:${tessera.socket}` });
    direct = await startNginx({ ...addrs, site: DIRECT_SITE });
    const setups = [['direct', direct], ['tcp', withAuth], ['socket', viaSocket]];
    const runs = { direct: [], tcp: [], socket: [] };
    let errors = 0;
    const requests = requestsFor(tessera.secrets);
    for (const [, server] of setups) await load(server.port, requests, o.warmupSeconds, o.connections);
    for (let round = 0; round < o.rounds; round++) {
      for (const [name, server] of round % 2 === 0 ? setups : [...setups].reverse()) {
        const r = await load(server.port, requests, o.measureSeconds, o.connections);
        runs[name].push(r.rps);
        errors += r.errors;
      }
    }
    const paired = (name) => median(runs[name].map((rps, i) => rps / runs.direct[i]));
    const tcp = paired('tcp');
    const socket = paired('socket');
    console.log(table(['setup', 'req/s (median)'], [
      ['nginx → upstream', fmtInt(median(runs.direct))],
      ['nginx auth_request → Tessera (TCP), → upstream', fmtInt(median(runs.tcp))],
      ['nginx auth_request → Tessera (Unix socket), → upstream', fmtInt(median(runs.socket))],
    ]));
    console.log(`per-round ratios, TCP: ${runs.tcp.map((r, i) => fmtRatio(r / runs.direct[i])).join(' ')}; socket: ${runs.socket.map((r, i) => fmtRatio(r / runs.direct[i])).join(' ')}`);
    console.log(`ratio auth/direct, Unix socket = ${fmtRatio(socket)}  goal >= ${GATEWAY_GOAL}  ${verdict(socket, GATEWAY_GOAL)}`);
    console.log(`ratio auth/direct, TCP         = ${fmtRatio(tcp)}  goal >= ${GATEWAY_GOAL}  ${verdict(tcp, GATEWAY_GOAL)}`);
    if (errors > 0) console.log(`warning: ${errors} non-2xx or failed responses`);
    return { name: 'gateway (nginx auth/direct, Unix socket)', ratio: socket, tcpRatio: tcp, goal: GATEWAY_GOAL, ok: errors === 0 };
  } finally {
    await withAuth?.stop();
    await viaSocket?.stop();
    await direct?.stop();
    await tesseraChild.stop();
    await upstreamChild.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  await runGatewayBench(quick ? { warmupSeconds: 1, measureSeconds: 2, rounds: 2, tokens: 20 } : {});
}
