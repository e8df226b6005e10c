// A throwaway PostgreSQL cluster for the benches (dist/ has no test helpers): initdb + pg_ctl on a free port in a
// temporary directory, as the `postgres` user when run as root. Returns null when PostgreSQL is not installed.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './lib.mjs';

const run = promisify(execFile);

function binaries() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  for (const v of readdirSync(root).sort((a, b) => Number(b) - Number(a))) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb'))) return bin;
  }
  return null;
}


export async function startBenchPostgres() {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  const bin = binaries();
  if (!bin) return null;
  const asPg = (prog, args) => (process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', join(bin, prog), ...args]] : [join(bin, prog), args]);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-pg-'));
  if (process.getuid?.() === 0) {
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  }
  const data = join(dir, 'data');
  await run(...asPg('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']));
  const port = await freePort();
  // Durable settings (fsync on), as a real deployment would run; shared_buffers sized for a million tokens.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_buffers=256MB`;
  await run(...asPg('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', 'start']));
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query('create database tessera_bench');
  await client.end();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/tessera_bench`,
    stop: async () => {
      await run(...asPg('pg_ctl', ['-D', data, '-m', 'immediate', 'stop'])).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
