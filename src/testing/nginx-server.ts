/** A throwaway nginx (Debian's) running examples/nginx/ on 127.0.0.1 and a free port, everything inside a temp dir. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGateway } from './gateway-process.js';
import { freePort } from './server-process.js';

export const NGINX_MISSING_MESSAGE =
  'nginx not installed: apt-get install -y --no-install-recommends nginx to run the forward-auth integration tests';

export interface NginxServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** The rendered configuration directory (logs are there too). */
  dir: string;
  stop(): Promise<void>;
}

export function findNginx(): string | null {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) if (existsSync(candidate)) return candidate;
  return null;
}

const examples = new URL('../../examples/nginx/', import.meta.url);

/**
 * Starts nginx in front of `upstream` with Tessera at `tessera` (both `host:port`). Returns `null` when nginx is
 * not installed, unless `CI=true`: there the suite must run, so a missing nginx is an error.
 */
export async function startNginx(options: { tessera: string; upstream: string; /** Instead of examples/nginx/tessera.conf. */ site?: string }): Promise<NginxServer | null> {
  const binary = findNginx();
  if (binary === null) {
    if (process.env.CI === 'true') throw new Error(`CI=true but ${NGINX_MISSING_MESSAGE}`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tessera-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  const site = (options.site ?? readFileSync(new URL('tessera.conf', examples), 'utf8'))
    .replaceAll('{{TESSERA_ADDR}}', options.tessera)
    .replaceAll('{{UPSTREAM_ADDR}}', options.upstream)
    .replaceAll('{{LISTEN_ADDR}}', `127.0.0.1:${port}`);
  writeFileSync(join(dir, 'tessera.conf'), site);
  writeFileSync(join(dir, 'nginx.conf'), readFileSync(new URL('nginx.conf', examples), 'utf8'));
  const gateway = await spawnGateway(
    'nginx',
    { binary, args: ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'] },
    // SIGQUIT: graceful shutdown of master and workers.
    { port, dir, stopSignal: 'SIGQUIT' },
  );
  return { url: `http://127.0.0.1:${port}`, port, dir, stop: gateway.stop };
}
