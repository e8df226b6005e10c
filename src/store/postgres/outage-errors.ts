/** One place that tells "the database is unreachable" from other failures, and says so as a 503. */
import type pg from 'pg';
import { TesseraError } from '../../core/errors.js';
import { mapStoreErrors } from '../map-store-errors.js';

/** Node socket errors, pg's own connection failures, and server codes for shutdown and refused connections. */
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const serverCodes = new Set(['57P01', '57P02', '57P03', '53300']);
const messages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection terminated unexpectedly',
  'the database system is',
];

export function isConnectionError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && (socketCodes.has(e.code) || serverCodes.has(e.code) || e.code.startsWith('08'))) return true;
  return typeof e?.message === 'string' && messages.some((m) => (e.message as string).includes(m));
}

export function outageError(cause: unknown): TesseraError {
  const error = new TesseraError('SERVICE_UNAVAILABLE', 'the database is not reachable; try again shortly (see /readyz)');
  (error as { cause?: unknown }).cause = cause;
  return error;
}

/** Every method of `ops`, with connection failures rethrown as SERVICE_UNAVAILABLE. */
export function mapOutages<T extends object>(ops: T): T {
  return mapStoreErrors(ops, (error) => (isConnectionError(error) ? outageError(error) : null));
}

/**
 * Keeps a server restart from crashing the process. The pool listens for errors of idle clients only; a client
 * checked out between two statements of a transaction that receives the server's "terminating connection"
 * (57P01) has no listener of its own, and Node throws an unhandled 'error' event. The statement that follows
 * fails as a connection error (503), and the pool discards the client when it is released.
 */
export function surviveConnectionLoss(pool: pg.Pool): void {
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
}
