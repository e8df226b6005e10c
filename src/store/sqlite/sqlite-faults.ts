/**
 * SQLite failures a caller can wait out (a full disk, another process's write lock, a file made read-only) as
 * SERVICE_UNAVAILABLE (503), with a message that says which. Anything else stays as it is (a bug: 500).
 */
import { TesseraError } from '../../core/errors.js';
import { mapStoreErrors } from '../map-store-errors.js';

/** By better-sqlite3's extended result code prefix; SQLITE_IOERR covers a failed write or fsync (ENOSPC, EIO). */
const faults = [
  ['SQLITE_FULL', 'the database disk is full; writes resume once space is freed (nothing was changed)'],
  ['SQLITE_BUSY', 'the database is locked by another process; try again shortly (nothing was changed)'],
  ['SQLITE_LOCKED', 'the database is locked by another process; try again shortly (nothing was changed)'],
  ['SQLITE_IOERR', 'the database file could not be written; check its disk (nothing was changed)'],
  ['SQLITE_READONLY', 'the database file is read-only; check its permissions and filesystem (nothing was changed)'],
] as const;

/** The 503 for a SQLite error a caller can wait out, or null for any other error. */
export function sqliteFault(error: unknown): TesseraError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  const fault = faults.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`));
  if (!fault) return null;
  const unavailable = new TesseraError('SERVICE_UNAVAILABLE', fault[1]);
  (unavailable as { cause?: unknown }).cause = error;
  return unavailable;
}

/** SQLite's busy codes: another connection holds the lock this statement needs. */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

/** Every method of `ops`, with faults a caller can wait out rethrown as SERVICE_UNAVAILABLE. */
export function mapSqliteFaults<T extends object>(ops: T): T {
  return mapStoreErrors(ops, sqliteFault);
}
