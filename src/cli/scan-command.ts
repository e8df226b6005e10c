/** `tessera scan [PATH…]`: finds Tessera secrets in files or git history; exit 1 when one may still work. */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { secretHint } from '../core/token-format.js';
import {
  DEFAULT_MAX_FILE_BYTES,
  GitScanError,
  scanFiles,
  scanGitHistory,
  type LeakCheck,
  type LeakStatus,
  type ScanResult,
  type SecretLocation,
} from '../service/index.js';
import { addBackendOptions, parseWhole, resolveTarget, UsageError, withBackend, type CommonFlags } from './cli-options.js';
import { table, type CliIo, print } from './output.js';

interface ScanFlags extends CommonFlags {
  git?: boolean;
  includeNodeModules?: boolean;
  maxFileSize?: string;
}

/** One finding as printed: where, and which secret by its hint. Never the secret. */
export interface ScanFinding {
  file: string;
  line: number;
  column: number;
  commit: string | null;
  hint: string;
  /** With a lookup (`--url`/`--db`): the token, or null when unknown there. */
  tokenId: string | null;
  /** `null` without a lookup: the scan cannot tell, so the finding counts as live. */
  status: LeakStatus | null;
  live: boolean;
}

export interface ScanReport {
  findings: ScanFinding[];
  live: number;
  filesScanned: number;
  skipped: ScanResult['skipped'];
}

/** The server's lookup takes this many secrets per request. */
const CHECK_BATCH = 100;

export function registerScanCommand(program: Command, io: CliIo): void {
  addBackendOptions(
    program
      .command('scan')
      .description('find Tessera secrets in files and directories (default .), or with --git in all of a repository’s history;\n' +
        'prints where each is and its hint (never the secret); with --url/--token or --db, its token id and status.\n' +
        'Exit 0: nothing live found; 1: a secret that works or could work again (or any, without a lookup); 2: wrong usage')
      .argument('[paths...]', 'files and directories to scan (with --git: repositories)', ['.'])
      .option('--git', 'scan every commit on every ref (git log --all -p), not the files on disk')
      .option('--include-node-modules', 'also descend into node_modules directories (skipped by default)')
      .option('--max-file-size <bytes>', `skip larger files, listing them (default ${DEFAULT_MAX_FILE_BYTES})`),
  ).action((paths: string[], flags: ScanFlags) => scan(io, paths, flags));
}

async function scan(io: CliIo, paths: string[], flags: ScanFlags): Promise<void> {
  const maxFileBytes = flags.maxFileSize === undefined ? DEFAULT_MAX_FILE_BYTES : usageNumber(flags.maxFileSize);
  // Wrong flags are refused before any scanning: a long scan must not end in a usage error.
  const lookup = lookupRequested(flags, io.env) || flags.token !== undefined;
  if (lookup) resolveTarget(flags, io.env);
  for (const path of paths) await stat(path).catch(() => Promise.reject(new UsageError(`${path}: no such file or directory`)));
  const result = flags.git
    ? await historyOf(paths)
    : await scanFiles(paths, { maxFileBytes, includeNodeModules: !!flags.includeNodeModules });
  const checks = lookup ? await lookUp(io, flags, result.locations) : undefined;
  const findings = result.locations.map((location) => findingOf(location, checks?.get(location.secret)));
  const report: ScanReport = { findings, live: findings.filter((f) => f.live).length, filesScanned: result.filesScanned, skipped: result.skipped };
  print(io, !!flags.json, report, reportLines);
  if (report.live > 0) io.exitCode = 1;
}

function usageNumber(text: string): number {
  try {
    return parseWhole(text, '--max-file-size') as number;
  } catch {
    throw new UsageError(`--max-file-size: expected a whole number of bytes, got ${text}`);
  }
}

async function historyOf(repos: string[]): Promise<ScanResult> {
  const locations: SecretLocation[] = [];
  for (const repo of repos) {
    try {
      locations.push(...(await scanGitHistory(repo)));
    } catch (error) {
      // Not a repository (or no git): the path given was wrong for --git.
      if (error instanceof GitScanError) throw new UsageError(error.message);
      throw error;
    }
  }
  return { locations, filesScanned: 0, skipped: [] };
}

/** Asked only when a server or database is named: a scan alone must not open ./data/tessera.db by default. */
function lookupRequested(flags: ScanFlags, env: NodeJS.ProcessEnv): boolean {
  return flags.url !== undefined || flags.db !== undefined || ['TESSERA_URL', 'TESSERA_DB', 'DATABASE_URL'].some((name) => (env[name] ?? '') !== '');
}

async function lookUp(io: CliIo, flags: ScanFlags, locations: SecretLocation[]): Promise<Map<string, LeakCheck>> {
  const secrets = [...new Set(locations.map((l) => l.secret))];
  const checks = new Map<string, LeakCheck>();
  if (secrets.length === 0) return checks;
  await withBackend(io, flags, async (backend) => {
    for (let i = 0; i < secrets.length; i += CHECK_BATCH) {
      const batch = secrets.slice(i, i + CHECK_BATCH);
      const { items } = await backend.leakCheck(batch);
      batch.forEach((secret, j) => checks.set(secret, items[j]!));
    }
  });
  return checks;
}

function findingOf(location: SecretLocation, check: LeakCheck | undefined): ScanFinding {
  return {
    file: location.file,
    line: location.line,
    column: location.column,
    commit: location.commit ?? null,
    hint: secretHint(location.secret),
    tokenId: check?.tokenId ?? null,
    status: check?.status ?? null,
    live: check?.live ?? true,
  };
}

function reportLines(report: ScanReport): string[] {
  const where = (f: ScanFinding) => `${f.commit === null ? '' : `${f.commit.slice(0, 12)} `}${f.file}:${f.line}:${f.column}`;
  const lines = report.findings.length === 0
    ? ['no Tessera secrets found']
    : table(['WHERE', 'HINT', 'TOKEN', 'STATUS'], report.findings.map((f) => [
      where(f), f.hint, f.tokenId ?? '-', `${f.status ?? 'not looked up'}${f.live ? ' (live)' : ''}`,
    ]));
  const skipped = report.skipped.length === 0 ? [] : [`skipped ${report.skipped.length}: ${report.skipped.map((s) => `${s.file} (${s.reason})`).join(', ')}`];
  return [...lines, '', `${report.findings.length} found, ${report.live} live`, ...skipped];
}
