/**
 * PostgreSQL resolves a deadlock (40P01) or a serialization failure (40001) by aborting one of the transactions
 * involved; nothing of it was written, so it is run again. Two instances on one database meet this in normal use:
 * a change of a token locks it, then its ancestors, while another instance's usage flush updates the same rows in
 * its own order.
 */
import { TesseraError } from '../../core/errors.js';

const ABORTED_CODES = new Set(['40P01', '40001']);
/** Each try after the first waits a little longer, with jitter, so that two victims do not meet again in step. */
const ATTEMPTS = 5;
const BASE_DELAY_MS = 10;

export function isAbortedByServer(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ABORTED_CODES.has(code);
}

/**
 * Every method of `ops`, run again when PostgreSQL aborted it; past the last try, 409 CONFLICT. Only for the
 * store's own methods, each one whole transaction: `transaction(fn)` then runs `fn` again, so `fn` may only act
 * through the transaction it is given (as the Store interface says).
 */
export function retryAborted<T extends object>(ops: T, wait: (ms: number) => Promise<void> = sleep): T {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(ops)) {
    wrapped[name] =
      typeof fn === 'function'
        ? async (...args: unknown[]) => {
            for (let attempt = 1; ; attempt++) {
              try {
                return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
              } catch (error) {
                if (!isAbortedByServer(error)) throw error;
                if (attempt === ATTEMPTS) throw conflict(error);
                await wait(BASE_DELAY_MS * attempt * (0.5 + Math.random()));
              }
            }
          }
        : fn;
  }
  return wrapped as T;
}

function conflict(cause: unknown): TesseraError {
  const error = new TesseraError('CONFLICT', 'other changes to the same records kept colliding with this one; try again');
  (error as { cause?: unknown }).cause = cause;
  return error;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
