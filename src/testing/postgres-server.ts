/** A throwaway PostgreSQL cluster for tests (or an existing server named by `TESSERA_TEST_DATABASE_URL`). */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresServer {
  /** Stops the server but keeps its data (private clusters only), to test an outage; `resume` starts it again. */
  pause?(): Promise<void>;
  resume?(): Promise<void>;
  /** URL of a database on the server (`postgres`, the maintenance database, by default). */
  url(dbName?: string): string;
  /** Creates a new, empty, uniquely named database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the throwaway cluster and removes its directory (or drops the databases made on an external server). */
  stop(): Promise<void>;
}

export const POSTGRES_MISSING_MESSAGE = 'PostgreSQL not installed: apt-get install -y postgresql to run these tests';

const PG_ROOT = '/usr/lib/postgresql';

/** The newest `/usr/lib/postgresql/<version>/bin` holding both `initdb` and `pg_ctl`, or null. */
export function findPostgresBinaries(): string | null {
  if (!existsSync(PG_ROOT)) return null;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(PG_ROOT, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Database names are made here, never taken from input, so quoting them as identifiers is enough. */
function uniqueDatabaseName(): string {
  return `tessera_test_${process.pid}_${randomBytes(6).toString('hex')}`;
}

function withDatabase(base: string, dbName: string): string {
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(dbName)}`;
  return url.toString();
}

/** One statement on its own connection (creating or dropping databases, changing table settings). */
export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function serverOn(adminUrl: string, onStop: (created: string[]) => Promise<void>): PostgresServer {
  const created: string[] = [];
  return {
    url: (dbName = new URL(adminUrl).pathname.slice(1) || 'postgres') => withDatabase(adminUrl, dbName),
    async createDatabase() {
      const name = uniqueDatabaseName();
      // template0 and UTF8: the same empty database whatever template1 or the server's default encoding hold.
      await adminQuery(adminUrl, `create database "${name}" template template0 encoding 'UTF8'`);
      created.push(name);
      return withDatabase(adminUrl, name);
    },
    stop: () => onStop(created),
  };
}

/** Runs a PostgreSQL program as the `postgres` user when we are root (initdb refuses root), else as ourselves. */
function asPostgresUser(bin: string, program: string, args: string[]): [string, string[]] {
  const path = join(bin, program);
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
}

async function startCluster(bin: string): Promise<PostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-pg-'));
  const cleanupDir = () => rm(dir, { recursive: true, force: true });
  try {
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      await chown(dir, uid, gid);
    }
    const data = join(dir, 'data');
    // Default collation ICU en-US, as on most production servers, where 'a' < 'B': the schema, not the test
    // cluster, must make ids sort as plain code points. libc locale C, so no OS locale needs to be installed.
    const locale = ['-E', 'UTF8', '--locale=C', '--locale-provider=icu', '--icu-locale=en-US'];
    await run(...asPostgresUser(bin, 'initdb', ['-D', data, '--auth=trust', '-U', 'postgres', ...locale, '--no-sync', '--no-instructions']));

    const port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    // `-l`: without a log file the server inherits our stdout and the call never returns.
    const [cmd, args] = asPostgresUser(bin, 'pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', 'start']);
    try {
      await run(cmd, args);
    } catch (error) {
      const log = await readFile(join(dir, 'log'), 'utf8').catch(() => '');
      throw new Error(`PostgreSQL did not start:\n${log}`, { cause: error });
    }

    const stopArgs = asPostgresUser(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    // If the test process ends without calling stop(), do not leave a server running behind it.
    const stopOnExit = () => {
      try {
        execFileSync(...stopArgs, { stdio: 'ignore' });
      } catch {
        // Already stopped.
      }
    };
    process.once('exit', stopOnExit);

    const server = serverOn(`postgres://postgres@127.0.0.1:${port}/postgres`, async () => {
      process.removeListener('exit', stopOnExit);
      await run(...stopArgs).catch(() => undefined);
      await cleanupDir();
    });
    return {
      ...server,
      pause: async () => {
        await run(...asPostgresUser(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']));
      },
      resume: async () => {
        await run(cmd, args);
      },
    };
  } catch (error) {
    await cleanupDir();
    throw error;
  }
}

/**
 * Starts a throwaway cluster on a free port, or uses the server at `TESSERA_TEST_DATABASE_URL`.
 * Returns null when PostgreSQL is not installed, except in CI, where that is an error: CI must never skip.
 */
export async function startPostgres(options: { private?: boolean } = {}): Promise<PostgresServer | null> {
  const external = process.env.TESSERA_TEST_DATABASE_URL;
  // `private`: a cluster of the caller's own, e.g. to stop and restart it, never the shared one.
  if (!options.private && external !== undefined && external !== '') {
    return serverOn(external, async (created) => {
      for (const name of created) await adminQuery(external, `drop database if exists "${name}" with (force)`);
    });
  }
  const bin = findPostgresBinaries();
  if (bin === null) {
    if (process.env.CI === 'true') throw new Error(`${POSTGRES_MISSING_MESSAGE} (CI must not skip them)`);
    return null;
  }
  return startCluster(bin);
}
