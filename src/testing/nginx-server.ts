/** A throwaway nginx (Debian's) running examples/nginx/ on 127.0.0.1 and a free port, everything inside a temp dir. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  const child = spawn(binary, ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilListening(child, port, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    port,
    dir,
    stop: () => stop(child).finally(() => rmSync(dir, { recursive: true, force: true })),
  };
}

async function waitUntilListening(child: ChildProcess, port: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen on ${port} within 10 s: ${stderr()}`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // SIGQUIT: graceful shutdown of master and workers.
    child.kill('SIGQUIT');
  });
}
