/** A throwaway Caddy (Debian's) running examples/caddy/Caddyfile on 127.0.0.1 and a free port, its state in a temp dir. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGateway } from './gateway-process.js';
import { freePort } from './server-process.js';

export const CADDY_MISSING_MESSAGE =
  'caddy not installed: apt-get install -y --no-install-recommends caddy to run the Caddy forward-auth integration tests';

export interface CaddyServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  stop(): Promise<void>;
}

export function findCaddy(): string | null {
  for (const candidate of ['/usr/bin/caddy', '/usr/local/bin/caddy']) if (existsSync(candidate)) return candidate;
  return null;
}

/**
 * Starts Caddy in front of `upstream` with Tessera at `tessera` (both `host:port`). Returns `null` when Caddy is not
 * installed, unless `CI=true`: there the suite must run, so a missing Caddy is an error.
 */
export async function startCaddy(options: { tessera: string; upstream: string }): Promise<CaddyServer | null> {
  const binary = findCaddy();
  if (binary === null) {
    if (process.env.CI === 'true') throw new Error(`CI=true but ${CADDY_MISSING_MESSAGE}`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tessera-caddy-'));
  const port = await freePort();
  const caddyfile = readFileSync(new URL('../../examples/caddy/Caddyfile', import.meta.url), 'utf8')
    .replaceAll('{{TESSERA_ADDR}}', options.tessera)
    .replaceAll('{{UPSTREAM_ADDR}}', options.upstream)
    .replaceAll('{{LISTEN_HOST}}', '127.0.0.1')
    .replaceAll('{{LISTEN_PORT}}', String(port));
  const config = join(dir, 'Caddyfile');
  writeFileSync(config, caddyfile);
  // Caddy keeps its autosaved config and data under the XDG directories: the temp dir, not the system's.
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') };
  // SIGTERM: Caddy finishes what it serves and exits.
  const gateway = await spawnGateway('caddy', { binary, args: ['run', '--config', config, '--adapter', 'caddyfile'], env }, { port, dir, stopSignal: 'SIGTERM' });
  return { url: `http://127.0.0.1:${port}`, stop: gateway.stop };
}
