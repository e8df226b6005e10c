/** Writes what the usage buffer holds, in parts: counters, raw events (identical ones merged) and roll-ups. */
import type { Logger } from 'pino';
import { newId } from '../../core/ids.js';
import type { Store, UsageBatch, UsageEventRecord, UsageMinuteDelta } from '../../store/store.js';
import type { RandomBytes } from '../context.js';
import { addToMinutes, countersOf, isoMemo, minuteKey, sameCheck, type MinuteRow, type PendingEvent, type UsageBuffer, type UsageWindow } from './usage-buffer.js';

const eventKey = (e: PendingEvent) =>
  `${e.accountId}\u0000${e.tokenId}\u0000${e.kind}\u0000${e.outcome}\u0000${e.subject ?? ''}\u0000${e.clientIp ?? ''}\u0000${e.endpoint ?? ''}\u0000${e.refusedBy ?? ''}`;

/**
 * Events merged per turn of the event loop. At a window's end with 10,000 tokens checked, merging its events in one
 * pass held the loop about 30 ms (issue 17: checks must not stall); the windows are already taken and sealed, so
 * checks recorded in between go to new events.
 */
const EVENTS_PER_TURN = 1000;

/**
 * Counters, or events (each with its roll-up), written per transaction. A flush after a busy second holds 10,000 of
 * each: built and written all at once, every row stayed alive through the whole write (some hundred turns of the
 * loop), so each young-generation collection meanwhile copied tens of thousands of them, holding the loop 5–12 ms
 * (issue 17 item 4). Built just before each part is written, a part's rows die young. And on SQLite a commit
 * writes the part's pages into the log on the event loop: 1.5–3.5 ms for 1,000 rows, under a millisecond for 250.
 */
const ROWS_PER_WRITE = 250;
export const EVENTS_PER_WRITE = ROWS_PER_WRITE / 2;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class UsageWriter {
  constructor(
    private readonly store: Pick<Store, 'writeUsage'>,
    private readonly logger: Logger,
    private readonly randomBytes: RandomBytes,
  ) {}

  /**
   * The counters and the windows `due` picks, in parts of at most `ROWS_PER_WRITE` rows, each its own transaction.
   * When one fails, what it and the parts after it held goes back into the buffer for the next batch (the parts
   * already stored stay stored: nothing is counted twice, nothing lost).
   */
  async write(buffer: UsageBuffer, due: (window: UsageWindow) => boolean): Promise<void> {
    // Taken synchronously: checks recorded while the write is in flight go to fresh counters and events.
    const counters = buffer.takeCounters();
    const taken = buffer.takeWindows(due);
    if (counters.length === 0 && taken.length === 0) return;
    for (let i = 0; i < counters.length; i += ROWS_PER_WRITE) {
      if (!(await this.stored({ counters: countersOf(counters, i, i + ROWS_PER_WRITE), events: [], minutes: [] }, { tokens: counters.length - i }))) {
        buffer.restore(countersOf(counters, i, counters.length), taken);
        return;
      }
    }
    // One random id per batch and a counter keep ids unique without a CSPRNG call per event.
    const batchId = newId('usageEvent', this.randomBytes);
    let made = 0;
    const isoOf = isoMemo();
    for (let w = 0; w < taken.length; w++) {
      const window = taken[w]!;
      const merged = await mergedEvents(window);
      const minute = isoOf(window.startMs - (window.startMs % 60_000));
      // A window whose events were all dropped by the memory cap still has roll-ups: one part at least.
      for (let i = 0; i === 0 || i < merged.length; i += EVENTS_PER_WRITE) {
        const part = merged.slice(i, i + EVENTS_PER_WRITE);
        const events = part.map((e): UsageEventRecord => ({
          id: `${batchId}${(made++).toString(36)}`,
          accountId: e.accountId,
          tokenId: e.tokenId,
          at: isoOf(e.atMs),
          kind: e.kind,
          subject: e.subject,
          outcome: e.outcome,
          clientIp: e.clientIp,
          refusedBy: e.refusedBy,
          count: e.count,
        }));
        // Roll-ups per part: a minute row split across parts is added to by each (the stores add).
        const rows = new Map<string, MinuteRow>();
        if (i === 0) for (const [key, row] of window.dropped) addToMinutes(rows, key, row);
        for (const e of part) addToMinutes(rows, minuteKey(e), e);
        const minutes: UsageMinuteDelta[] = [...rows.values()].map((row) => ({ ...row, minute }));
        if (!(await this.stored({ counters: [], events, minutes }, { events: merged.length - i }))) {
          buffer.written([window]);
          buffer.putBack({ startMs: window.startMs, events: merged.slice(i), dropped: i === 0 ? window.dropped : new Map() });
          buffer.restore([], taken.slice(w + 1));
          return;
        }
      }
      buffer.written([window]);
    }
  }

  private async stored(part: UsageBatch, left: { tokens?: number; events?: number }): Promise<boolean> {
    try {
      await this.store.writeUsage(part);
      return true;
    } catch (error) {
      this.logger.error({ err: error, ...left }, 'usage batch write failed; will retry');
      return false;
    }
  }
}

/**
 * A window's events with identical ones merged (counts added, the first check's time kept), in the order they began.
 * Identical events are of one token: a token's events are told apart by a key string only once it has two (at most
 * one event per token and window is the usual case, and building a key for each of 10,000 events made that many
 * strings that outlived several collections). An event others are merged into is a copy: the taken ones stay as
 * they were, should the write fail and the window go back.
 */
async function mergedEvents(window: UsageWindow): Promise<PendingEvent[]> {
  const merged: PendingEvent[] = [];
  const copied = new Uint8Array(window.events.length);
  /** Each token's one event so far (its index in `merged`), or -1 once it has several (then in `keyed`). */
  const onlyOf = new Map<string, number>();
  const keyed = new Map<string, number>();
  const add = (at: number, e: PendingEvent) => {
    if (copied[at] === 0) {
      merged[at] = { ...merged[at]! };
      copied[at] = 1;
    }
    const same = merged[at]!;
    same.count += e.count;
    if (e.atMs < same.atMs) same.atMs = e.atMs;
  };
  let done = 0;
  for (const e of window.events) {
    if (++done % EVENTS_PER_TURN === 0) await nextTurn();
    const only = onlyOf.get(e.tokenId);
    if (only === undefined) {
      onlyOf.set(e.tokenId, merged.push(e) - 1);
      continue;
    }
    if (only >= 0) {
      const first = merged[only]!;
      if (first.accountId === e.accountId && sameCheck(first, e)) {
        add(only, e);
        continue;
      }
      keyed.set(eventKey(first), only);
      onlyOf.set(e.tokenId, -1);
    }
    const key = eventKey(e);
    const at = keyed.get(key);
    if (at === undefined) keyed.set(key, merged.push(e) - 1);
    else add(at, e);
  }
  return merged;
}
