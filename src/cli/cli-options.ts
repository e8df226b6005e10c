/** Options every backend command shares, resolved once into a local-or-remote target. */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { badRequest } from '../core/errors.js';
import { resolveDatabase, type DatabaseConfig } from '../runtime/config.js';
import type { Backend } from './backend.js';
import type { CliIo } from './output.js';

export interface CommonFlags {
  json?: boolean;
  db?: string;
  url?: string;
  token?: string;
}

export type BackendTarget = { kind: 'local'; database: DatabaseConfig } | { kind: 'remote'; url: string; token: string };

/** A mistake in how the command was called (exit 2), as opposed to a refused request (exit 1). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print exactly the JSON result on stdout');
}

export function addBackendOptions(command: Command): Command {
  return addJsonOption(command)
    .addOption(new Option('--db <file>', 'SQLite database file (env TESSERA_DB, default ./data/tessera.db)').conflicts('url'))
    .option('--url <url>', 'act through a running server instead of the file (env TESSERA_URL)')
    .option('--token <token>', 'management token for --url (env TESSERA_TOKEN)');
}

/** An explicit flag beats the environment; `--db` beats `TESSERA_URL`. */
export function resolveTarget(flags: CommonFlags, env: NodeJS.ProcessEnv): BackendTarget {
  const url = flags.url ?? (flags.db ? undefined : env.TESSERA_URL);
  if (!url) {
    if (flags.token) throw new UsageError('--token is only used with --url (remote mode)');
    return { kind: 'local', database: resolveDatabase(flags, env) };
  }
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url: expected http:// or https://…, got ${url}`);
  const token = flags.token ?? env.TESSERA_TOKEN;
  if (!token) throw new UsageError('--url needs --token TOKEN (or env TESSERA_TOKEN)');
  return { kind: 'remote', url, token };
}

/** False for a SQLite file that does not exist yet (PostgreSQL is asked only when opened). */
export function databaseExists(database: DatabaseConfig): boolean {
  return database.kind === 'postgres' || database.filename === ':memory:' || existsSync(database.filename);
}

/** Backends are loaded when a command runs: `--help` and `--version` then start without the service and the store. */
export async function openBackend(target: BackendTarget): Promise<Backend> {
  if (target.kind === 'local') return (await import('./local-backend.js')).createLocalBackend(target.database);
  return (await import('./remote-backend.js')).createRemoteBackend({ url: target.url, token: target.token });
}

/** Opens the backend the flags name, runs `fn`, and always releases it. */
export async function withBackend(io: CliIo, flags: CommonFlags, fn: (backend: Backend) => Promise<void>): Promise<void> {
  const backend = await openBackend(resolveTarget(flags, io.env));
  try {
    await fn(backend);
  } finally {
    await backend.close();
  }
}

/** Repeatable flags (`--scope a --scope b`) collect into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Whole numbers from flags; a bad one is refused naming the API field, like the service would. */
export function parseWhole(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(field, `must be a whole number, got ${value}`);
  return Number(value);
}
