/** Opaque page cursors: base64url of a small JSON object naming the last row of the previous page. */
import { TesseraError } from '../../core/errors.js';

export interface TokenCursor {
  createdAt: string;
  id: string;
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function invalidCursor(): TesseraError {
  return new TesseraError('BAD_REQUEST', 'cursor: invalid', { field: 'cursor' });
}

function decode(cursor: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(cursor)) throw invalidCursor();
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to the one error a caller sees for any malformed cursor.
  }
  throw invalidCursor();
}

export function encodeTokenCursor(cursor: TokenCursor): string {
  return encode({ c: cursor.createdAt, i: cursor.id });
}

export function decodeTokenCursor(cursor: string): TokenCursor {
  const { c, i } = decode(cursor);
  if (typeof c !== 'string' || typeof i !== 'string') throw invalidCursor();
  return { createdAt: c, id: i };
}

export function encodeAuditCursor(seq: number): string {
  return encode({ s: seq });
}

export function decodeAuditCursor(cursor: string): number {
  const { s } = decode(cursor);
  if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 1) throw invalidCursor();
  return s;
}

export function encodeVersionCursor(version: number): string {
  return encode({ v: version });
}

export function decodeVersionCursor(cursor: string): number {
  const { v } = decode(cursor);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidCursor();
  return v;
}

export function encodeUsageEventCursor(cursor: { at: string; id: string }): string {
  return encode({ a: cursor.at, i: cursor.id });
}

export function decodeUsageEventCursor(cursor: string): { at: string; id: string } {
  const { a, i } = decode(cursor);
  if (typeof a !== 'string' || typeof i !== 'string') throw invalidCursor();
  return { at: a, id: i };
}

/** Aggregated rows have no stable key of their own to resume after: their page cursor is a position. */
export function encodeOffsetCursor(offset: number): string {
  return encode({ o: offset });
}

export function decodeOffsetCursor(cursor: string): number {
  const { o } = decode(cursor);
  if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) throw invalidCursor();
  return o;
}
