/** One wrapper for both backends: every method of a store, with the failures a caller can wait out translated. */
import type { TesseraError } from '../core/errors.js';

/** Every method of `ops`, its errors passed through `translate` (null: rethrown as they are). */
export function mapStoreErrors<T extends object>(ops: T, translate: (error: unknown) => TesseraError | null): T {
  const mapped = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(ops)) {
    mapped[name] =
      typeof fn === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
            } catch (error) {
              throw translate(error) ?? error;
            }
          }
        : fn;
  }
  return mapped as T;
}
