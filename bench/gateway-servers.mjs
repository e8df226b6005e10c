// Child processes of the gateway, JWT and SDK benches. `tessera`: the real app (SQLite, messaging catalog) with one
// token holding message:send and tokens:issue, an issued JWT, and `--tokens=N` more tokens holding message:send,
// listening on TCP and on a Unix socket (as with TESSERA_SOCKET), prints {port, socket, secret, jwt, secrets}.
// `upstream`: a tiny API answering constant JSON, prints {port}. Both serve until the parent goes away.
// Usage: node bench/gateway-servers.mjs tessera [--tokens=N] | upstream
import { chmodSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { buildApp } from '../dist/http/build-app.js';
import { listenOnSocket } from '../dist/http/listen-socket.js';
import { createSqliteStore } from '../dist/store/sqlite/sqlite-store.js';
import { createTessera } from '../dist/service/index.js';
import { exitWithParent, makeTempDir } from './lib.mjs';

const mode = process.argv[2];
if (mode === 'upstream') {
  const body = JSON.stringify({ ok: true });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  exitWithParent(() => new Promise((resolve) => server.close(resolve)));
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
} else if (mode === 'tessera') {
  const temp = makeTempDir('tessera-gateway-bench-');
  const store = await createSqliteStore({ filename: `${temp.dir}/tessera.db` });
  await store.migrate();
  const tessera = createTessera({ store, issuer: 'bench' });
  const boot = await tessera.bootstrap();
  const { app, gateway } = await buildApp({ tessera, trustProxy: ['127.0.0.1/32'] });
  tessera.start();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${app.server.address().port}`;
  const call = async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${boot.root.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const messaging = readFileSync(new URL('../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');
  await call('PUT', '/v1/catalog', { source: messaging, format: 'yaml' });
  const created = await call('POST', '/v1/tokens', { name: 'bench', scopes: ['message:send', 'tokens:issue'] });
  const extra = Number(process.argv.find((a) => a.startsWith('--tokens='))?.slice('--tokens='.length) ?? 0);
  const secrets = [];
  for (let i = 0; i < extra; i++) secrets.push((await call('POST', '/v1/tokens', { name: `gateway ${i}`, scopes: ['message:send'] })).secret);
  const issued = await fetch(`${base}/v1/auth/issue-token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${created.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ scope: 'message:send', expires_in: '1h' }),
  }).then((r) => r.json());
  // nginx's workers run as another user (nobody): the socket and its directory must be reachable by them.
  chmodSync(temp.dir, 0o755);
  const socket = await listenOnSocket(app, gateway, `${temp.dir}/tessera.sock`, 0o666);
  exitWithParent(async () => {
    await socket.close();
    await app.close();
    await tessera.close();
    temp.remove();
  });
  process.stdout.write(`${JSON.stringify({ port: app.server.address().port, socket: socket.path, secret: created.secret, jwt: issued.token, secrets })}\n`);
} else {
  throw new Error('usage: node bench/gateway-servers.mjs tessera|upstream');
}
