// Starts Debian's nginx for the gateway bench, as src/testing/nginx-server.ts does for the tests (that helper is
// not part of the build the benches import): examples/nginx/ rendered into a temp dir, 127.0.0.1, a free port.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, makeTempDir } from './lib.mjs';

export function findNginx() {
  return ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p)) ?? null;
}

const examples = new URL('../examples/nginx/', import.meta.url);

/** `site` replaces examples/nginx/tessera.conf; `{{TESSERA_ADDR}}`, `{{UPSTREAM_ADDR}}`, `{{LISTEN_ADDR}}` are filled in. */
export async function startNginx({ tessera, upstream, site }) {
  const temp = makeTempDir('tessera-bench-nginx-');
  mkdirSync(join(temp.dir, 'tmp'));
  const port = await freePort();
  const text = (site ?? readFileSync(new URL('tessera.conf', examples), 'utf8'))
    .replaceAll('{{TESSERA_ADDR}}', tessera)
    .replaceAll('{{UPSTREAM_ADDR}}', upstream)
    .replaceAll('{{LISTEN_ADDR}}', `127.0.0.1:${port}`);
  writeFileSync(join(temp.dir, 'tessera.conf'), text);
  // No access log in the bench: both sides would pay for it, and it is disk work, not what is measured. Client
  // connections are kept for the whole run: at nginx's default of 1,000 requests per connection, the load
  // generator counted the connections nginx closed as failed requests.
  const conf = readFileSync(new URL('nginx.conf', examples), 'utf8').replace('access_log access.log;', 'access_log off;\n    keepalive_requests 1000000;');
  writeFileSync(join(temp.dir, 'nginx.conf'), conf);
  const child = spawn(findNginx(), ['-p', `${temp.dir}/`, '-c', join(temp.dir, 'nginx.conf'), '-e', join(temp.dir, 'error.log'), '-g', 'daemon off;'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}; see ${temp.dir}/error.log`);
    const up = await new Promise((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('nginx did not start within 10 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      temp.remove();
    },
  };
}
