// Gateway bench: requests per second through nginx with Tessera forward auth (auth_request, examples/nginx/) vs the
// same nginx setup proxying straight to the same upstream, in the same run. Run alone: node bench/gateway-bench.mjs
// (after `npm run build`; needs Debian's nginx).
import autocannon from 'autocannon';
import { fileURLToPath } from 'node:url';
import { findNginx, startNginx } from './nginx.mjs';
import { fmtInt, fmtRatio, median, startChild, table, verdict } from './lib.mjs';

export const GATEWAY_GOAL = 0.6;

const defaults = { connections: 20, warmupSeconds: 1, measureSeconds: 5, rounds: 2 };

const DIRECT_SITE = `
upstream api {
    server {{UPSTREAM_ADDR}};
    keepalive 32;
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

async function load(port, secret, seconds, connections) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/sms/2/text/advanced`,
    method: 'POST',
    headers: { authorization: `Bearer ${secret}` },
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
    return { name: 'gateway (nginx auth/direct)', ratio: NaN, goal: GATEWAY_GOAL, ok: false };
  }
  const tesseraChild = startChild(fileURLToPath(new URL('./gateway-servers.mjs', import.meta.url)), ['tessera']);
  const upstreamChild = startChild(fileURLToPath(new URL('./gateway-servers.mjs', import.meta.url)), ['upstream']);
  let withAuth;
  let direct;
  try {
    const [tessera, upstream] = await Promise.all([tesseraChild.ready, upstreamChild.ready]);
    const addrs = { tessera: `127.0.0.1:${tessera.port}`, upstream: `127.0.0.1:${upstream.port}` };
    withAuth = await startNginx(addrs);
    direct = await startNginx({ ...addrs, site: DIRECT_SITE });
    const sides = { auth: [], direct: [] };
    let errors = 0;
    for (const server of [withAuth, direct]) await load(server.port, tessera.secret, o.warmupSeconds, o.connections);
    for (let round = 0; round < o.rounds; round++) {
      for (const [name, server] of round % 2 === 0 ? [['direct', direct], ['auth', withAuth]] : [['auth', withAuth], ['direct', direct]]) {
        const r = await load(server.port, tessera.secret, o.measureSeconds, o.connections);
        sides[name].push(r.rps);
        errors += r.errors;
      }
    }
    const authRps = median(sides.auth);
    const directRps = median(sides.direct);
    const ratio = authRps / directRps;
    console.log(table(['setup', 'req/s (median)'], [['nginx → upstream', fmtInt(directRps)], ['nginx auth_request → Tessera, → upstream', fmtInt(authRps)]]));
    console.log(`ratio auth/direct = ${fmtRatio(ratio)}  goal >= ${GATEWAY_GOAL}  ${verdict(ratio, GATEWAY_GOAL)}`);
    if (errors > 0) console.log(`warning: ${errors} non-2xx or failed responses`);
    return { name: 'gateway (nginx auth/direct)', ratio, goal: GATEWAY_GOAL, ok: errors === 0 };
  } finally {
    await withAuth?.stop();
    await direct?.stop();
    await tesseraChild.stop();
    await upstreamChild.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  await runGatewayBench(quick ? { warmupSeconds: 1, measureSeconds: 2, rounds: 1 } : {});
}
