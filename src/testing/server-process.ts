/** Runs the built `tessera` binary as a real process, for tests that need logs, signals or crashes. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs one CLI command to completion; never throws on a non-zero exit. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: withoutUndefined({ ...process.env, ...env }),
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * How the CLI is pointed at a test database: `--db FILE` for SQLite, `DATABASE_URL` for a `postgres://` URL
 * (`--db` and `TESSERA_DB` win over DATABASE_URL, so neither may be set then).
 */
export function databaseArgs(db: string): { args: string[]; env: NodeJS.ProcessEnv } {
  if (/^postgres(ql)?:\/\//.test(db)) return { args: [], env: { DATABASE_URL: db, TESSERA_DB: undefined } };
  return { args: ['--db', db], env: {} };
}

/** `tessera init` on a fresh database (a SQLite file or a PostgreSQL URL), as an operator runs it; its root secret. */
export async function initDatabase(db: string): Promise<string> {
  const target = databaseArgs(db);
  const init = await runCli(['init', '--json', ...target.args], target.env);
  if (init.code !== 0) throw new Error(`tessera init exited ${init.code}: ${init.stderr}`);
  return (JSON.parse(init.stdout) as { secret: string }).secret;
}

export async function startServerProcess(db: string, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const port = await freePort();
  const target = databaseArgs(db);
  const child = spawn(process.execPath, [CLI, 'serve', ...target.args, '--port', String(port)], {
    env: withoutUndefined({ ...process.env, ...target.env, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  // Generous: on a loaded 2-core machine a start takes seconds, and a test that waits longer only loses time when broken.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early: ${err}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stdout: () => out,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** A child's environment: keys set to `undefined` are removed rather than passed as the text "undefined". */
export function withoutUndefined(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}
