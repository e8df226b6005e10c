/** `tessera scan PATH…`: files and directory trees searched for Tessera secrets, binaries and huge files skipped. */
import { lstat, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findSecrets } from '../../core/find-secrets.js';

/** One place a secret was found. The secret stays in memory: what is shown of it is its hint. */
export interface SecretLocation {
  secret: string;
  file: string;
  line: number;
  column: number;
  /** The commit that added the line (history scans only). */
  commit?: string;
}

export interface SkippedFile {
  file: string;
  reason: 'binary' | 'too_large' | 'unreadable';
}

export interface ScanResult {
  locations: SecretLocation[];
  filesScanned: number;
  skipped: SkippedFile[];
}

export interface FileScanOptions {
  /** Files larger than this are skipped (and listed). */
  maxFileBytes: number;
  /** Descend into `node_modules` (skipped by default: other people's code, and usually most of a tree). */
  includeNodeModules: boolean;
}

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Git's own test for binary content: a NUL byte among the first 8000 bytes. */
const BINARY_PROBE_BYTES = 8000;

export function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, BINARY_PROBE_BYTES).includes(0);
}

/**
 * Every regular file under the paths, depth first, in name order. Symbolic links are not followed (a link may
 * loop, or lead out of the tree); `.git` is never entered (its history is what `--git` reads, compressed).
 */
export async function scanFiles(paths: readonly string[], options: FileScanOptions): Promise<ScanResult> {
  const result: ScanResult = { locations: [], filesScanned: 0, skipped: [] };
  const pending = [...paths].reverse();
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    const info = await lstat(path);
    if (info.isDirectory()) {
      const entries = (await readdir(path, { withFileTypes: true })).filter((e) => !skippedDirectory(e.name, e.isDirectory(), options));
      entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
      for (const entry of entries) if (entry.isDirectory() || entry.isFile()) pending.push(join(path, entry.name));
    } else if (info.isFile()) {
      await scanFile(path, info.size, options, result);
    }
  }
  return result;
}

function skippedDirectory(name: string, isDirectory: boolean, options: FileScanOptions): boolean {
  return isDirectory && (name === '.git' || (name === 'node_modules' && !options.includeNodeModules));
}

async function scanFile(file: string, size: number, options: FileScanOptions, result: ScanResult): Promise<void> {
  if (size > options.maxFileBytes) {
    result.skipped.push({ file, reason: 'too_large' });
    return;
  }
  let bytes: Buffer;
  try {
    bytes = await readProbeFirst(file);
  } catch {
    result.skipped.push({ file, reason: 'unreadable' });
    return;
  }
  if (isBinary(bytes)) {
    result.skipped.push({ file, reason: 'binary' });
    return;
  }
  result.filesScanned++;
  for (const found of findSecrets(bytes.toString('utf8'))) result.locations.push({ file, ...found });
}

/** Reads the head first, so that a large binary is recognised without reading all of it. */
async function readProbeFirst(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const probe = Buffer.alloc(BINARY_PROBE_BYTES);
    const { bytesRead } = await handle.read(probe, 0, BINARY_PROBE_BYTES, 0);
    if (isBinary(probe.subarray(0, bytesRead))) return probe.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  return readFile(file);
}
