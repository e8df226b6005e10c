/**
 * The background flushes on a synchronous driver (better-sqlite3), run so that checks are answered in between:
 * a flush after a busy second (10,000 counter rows, and at a window's end as many events and roll-ups) run in one go
 * held the event loop for tens of milliseconds, and fixed slices of 250 rows still took up to 7.5 ms on a loaded
 * machine (a row costs 4–30 µs there). Each turn now runs rows for at most `SLICE_MS`, then yields to the event
 * loop; the transaction holds the connection meanwhile, so the rows still commit together.
 */
import type { DialectHooks } from './dialect-hooks.js';

/** How long one turn of a flush may hold the event loop, ms (one row more at most). */
export const SLICE_MS = 1;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `statement` once per item, a turn of at most {@link SLICE_MS} at a time; each item's row made just before it runs.
 * Every turn starts on a turn of its own, the first one too: a flush is a chain of these (a statement per kind of
 * row, a transaction per part), and one that fits in a turn would otherwise run on into the next statement, the
 * commit and the next part without the loop answering anything in between (a window's end: 40 ms at once).
 */
export async function runSliced<T>(
  runPerRow: NonNullable<DialectHooks['runPerRow']>,
  statement: string,
  items: readonly T[],
  rowOf: (item: T) => readonly unknown[],
): Promise<void> {
  for (let i = 0; i < items.length; ) {
    await nextTurn();
    i = runPerRow(statement, items, rowOf, i, performance.now() + SLICE_MS);
  }
}
