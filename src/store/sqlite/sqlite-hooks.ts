/** Recognises better-sqlite3's constraint errors by their extended result codes. */

/** A primary key or unique index was violated (not a foreign key or NOT NULL failure). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
