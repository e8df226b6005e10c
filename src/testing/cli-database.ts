/** CLI tests on a database: a fresh one of the backend under test, initialised by `tessera init` as an operator runs it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTessera } from './run-tessera.js';
import { databaseArgs } from './server-process.js';
import { freshTestDatabase } from './test-app.js';

export interface CliDatabase {
  /** What points the CLI at it: `--db FILE` on SQLite; nothing on PostgreSQL, where `env` holds `DATABASE_URL`. */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** A folder beside the database for the test's own files, removed with it. */
  dir: string;
  remove(): void;
}

export async function initCliDatabase(prefix: string): Promise<CliDatabase> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const { args, env } = databaseArgs(await freshTestDatabase(dir));
  const init = await runTessera(['init', '--json', ...args], env);
  if (init.code !== 0) throw new Error(`tessera init exited ${init.code}: ${init.stderr}`);
  return { args, env, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
