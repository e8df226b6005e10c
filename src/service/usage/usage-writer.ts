/** Writes what the usage buffer holds as one batch: counters, raw events (identical ones merged) and roll-ups. */
import type { Logger } from 'pino';
import { newId } from '../../core/ids.js';
import type { Store, UsageEventRecord, UsageMinuteDelta } from '../../store/store.js';
import type { RandomBytes } from '../context.js';
import { addToMinutes, isoMemo, minuteKey, type MinuteRow, type PendingEvent, type UsageBuffer, type UsageWindow } from './usage-buffer.js';

const eventKey = (e: PendingEvent) =>
  `${e.accountId}\u0000${e.tokenId}\u0000${e.kind}\u0000${e.outcome}\u0000${e.subject ?? ''}\u0000${e.clientIp ?? ''}\u0000${e.endpoint ?? ''}\u0000${e.refusedBy ?? ''}`;

/**
 * Events turned into rows per turn of the event loop. At a window's end with 10,000 tokens checked, building its
 * events and roll-ups in one pass held the loop about 30 ms (issue 17: checks must not stall); the windows are
 * already taken and sealed, so checks recorded in between go to new events.
 */
const EVENTS_PER_TURN = 1000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class UsageWriter {
  constructor(
    private readonly store: Pick<Store, 'writeUsage'>,
    private readonly logger: Logger,
    private readonly randomBytes: RandomBytes,
  ) {}

  /** The counters and the windows `due` picks; on failure everything goes back into the buffer for the next batch. */
  async write(buffer: UsageBuffer, due: (window: UsageWindow) => boolean): Promise<void> {
    // Taken synchronously: checks recorded while the write is in flight go to fresh counters and events.
    const counters = buffer.takeCounters();
    const taken = buffer.takeWindows(due);
    if (counters.length === 0 && taken.length === 0) return;
    const { events, minutes } = await this.toRows(taken);
    try {
      await this.store.writeUsage({ counters, events, minutes });
      buffer.written(taken);
    } catch (error) {
      this.logger.error({ err: error, tokens: counters.length, events: events.length }, 'usage batch write failed; will retry');
      buffer.restore(counters, taken);
    }
  }

  /**
   * Raw events (identical ones merged) and roll-up additions of the given windows. Ids and timestamps are made
   * here rather than per request: the verify path stays a few property updates.
   */
  private async toRows(windows: readonly UsageWindow[]): Promise<{ events: UsageEventRecord[]; minutes: UsageMinuteDelta[] }> {
    // One random id per batch and a counter keep ids unique without a CSPRNG call per event.
    const batchId = newId('usageEvent', this.randomBytes);
    const events: UsageEventRecord[] = [];
    const minutes: UsageMinuteDelta[] = [];
    const isoOf = isoMemo();
    let done = 0;
    for (const window of windows) {
      const merged = new Map<string, PendingEvent>();
      for (const e of window.events) {
        if (++done % EVENTS_PER_TURN === 0) await nextTurn();
        const key = eventKey(e);
        const same = merged.get(key);
        if (!same) merged.set(key, { ...e });
        else {
          same.count += e.count;
          if (e.atMs < same.atMs) same.atMs = e.atMs;
        }
      }
      for (const e of merged.values()) {
        if (++done % EVENTS_PER_TURN === 0) await nextTurn();
        events.push({
          id: `${batchId}${events.length.toString(36)}`,
          accountId: e.accountId,
          tokenId: e.tokenId,
          at: isoOf(e.atMs),
          kind: e.kind,
          subject: e.subject,
          outcome: e.outcome,
          clientIp: e.clientIp,
          refusedBy: e.refusedBy,
          count: e.count,
        });
      }
      const rows = new Map<string, MinuteRow>();
      for (const [key, row] of window.dropped) addToMinutes(rows, key, row);
      for (const e of merged.values()) addToMinutes(rows, minuteKey(e), e);
      const minute = isoOf(window.startMs - (window.startMs % 60_000));
      for (const row of rows.values()) minutes.push({ ...row, minute });
    }
    return { events, minutes };
  }
}
