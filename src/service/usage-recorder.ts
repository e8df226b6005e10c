/**
 * Counts uses, last-used times, raw usage events and per-minute roll-ups in memory, and writes them in batches,
 * off the request path: the counters on every flush (about once a second), the events and roll-ups of a usage
 * window once it has closed. A retention sweep removes raw events past their window.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { newId } from '../core/ids.js';
import type { AccountId, TokenId } from '../core/types.js';
import type { Store, UsageDelta, UsageEventRecord, UsageKind, UsageMinuteDelta } from '../store/store.js';
import type { Clock, RandomBytes } from './context.js';

export interface UsageRecorderOptions {
  /** Interval between batch writes, ms. The issue asks that use counts be at most about 1 s late. */
  flushIntervalMs: number;
  /**
   * The usage window, ms (divides a minute): identical checks within one window are one raw event, and a window's
   * events and roll-ups are written once it has closed. Longer windows mean fewer rows and later data.
   */
  windowMs: number;
  /** How long raw events are kept, ms (roll-ups are kept). */
  retentionMs: number;
  /** Raw events held while the database cannot take them; the oldest are dropped beyond this (counted, logged). */
  maxPendingEvents: number;
  /** How often the retention sweep runs, ms. */
  sweepIntervalMs: number;
}

export const DEFAULT_USAGE_RETENTION_DAYS = 7;
export const DEFAULT_USAGE_WINDOW_SECONDS = 10;

export const defaultUsageRecorderOptions: UsageRecorderOptions = {
  flushIntervalMs: 1000,
  windowMs: DEFAULT_USAGE_WINDOW_SECONDS * 1000,
  retentionMs: DEFAULT_USAGE_RETENTION_DAYS * 86_400_000,
  maxPendingEvents: 100_000,
  sweepIntervalMs: 60_000,
};

/** Usage window lengths, in seconds, that divide a minute: a window never straddles two roll-up minutes. */
export function isUsageWindowSeconds(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds >= 1 && seconds <= 60 && 60 % seconds === 0;
}

/** One check of a known token, as the verify (or authorize) path reports it. */
export interface UsageCheck {
  kind: UsageKind;
  subject: string | null;
  outcome: string;
  clientIp: string | null;
  /** Roll-up key: the catalog endpoint (`GET /devices/{id}`), or null for a scope check. */
  endpoint: string | null;
}

/** A usage event before it has an id: identical checks within one window, counted. */
interface PendingEvent extends UsageCheck {
  accountId: AccountId;
  tokenId: TokenId;
  /** The first check's time. */
  atMs: number;
  count: number;
  /** The window holding `atMs`, as [start, end): precomputed so the verify path only compares numbers. */
  windowStartMs: number;
  windowEndMs: number;
}

/** Same window, same check and outcome from the same address: counted into one event. */
function sameEvent(event: PendingEvent, atMs: number, check: UsageCheck): boolean {
  return (
    atMs >= event.windowStartMs &&
    atMs < event.windowEndMs &&
    check.outcome === event.outcome &&
    check.kind === event.kind &&
    check.subject === event.subject &&
    check.clientIp === event.clientIp &&
    check.endpoint === event.endpoint
  );
}

/** What one cached token did since the last flush: granted uses, and the event being counted. */
interface TokenActivity {
  /** The flush period it belongs to: an activity of an earlier period has been folded already. */
  period: number;
  accountId: AccountId;
  tokenId: TokenId;
  uses: number;
  lastMs: number;
  /** The latest check's event; identical checks that follow in the same window only add to its count. */
  current: PendingEvent | null;
}

/**
 * Where the verify path keeps a token's activity: on its cache entry, so that recording a use is a property
 * read rather than a lookup. Opaque outside the recorder.
 */
export interface UsageSlot {
  usage?: unknown;
}

/** One window's raw events (by identity of the check) and roll-up additions (by token, outcome, endpoint). */
interface UsageWindow {
  startMs: number;
  events: Map<string, PendingEvent>;
  minutes: Map<string, { accountId: AccountId; tokenId: TokenId; outcome: string; endpoint: string | null; count: number }>;
}

const eventKey = (e: PendingEvent) =>
  `${e.accountId}\u0000${e.tokenId}\u0000${e.kind}\u0000${e.outcome}\u0000${e.subject ?? ''}\u0000${e.clientIp ?? ''}\u0000${e.endpoint ?? ''}`;
const minuteKey = (e: PendingEvent) => `${e.accountId}\u0000${e.tokenId}\u0000${e.outcome}\u0000${e.endpoint ?? ''}`;

export class UsageRecorder {
  /** Activities of this flush period, each also reachable from its token's slot. */
  private active: TokenActivity[] = [];
  private period = 0;
  /** Events complete on the verify path (a different check followed), folded into their windows at flush. */
  private completed: PendingEvent[] = [];
  private counters = new Map<string, UsageDelta>();
  /** Open windows, and closed ones not yet written, by start time. */
  private windows = new Map<number, UsageWindow>();
  private pendingEvents = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private lastSweepMs = Number.NEGATIVE_INFINITY;
  private readonly options: UsageRecorderOptions;
  /** Events dropped because the buffer was full while the database was unreachable. */
  dropped = 0;

  constructor(
    private readonly store: Pick<Store, 'writeUsage' | 'deleteUsageEventsBefore'>,
    private readonly logger: Logger,
    options: Partial<UsageRecorderOptions> = {},
    private readonly clock: Clock = { now: () => Date.now() },
    private readonly randomBytes: RandomBytes = (n) => cryptoRandomBytes(n),
  ) {
    this.options = { ...defaultUsageRecorderOptions, ...options };
    if (!isUsageWindowSeconds(this.options.windowMs / 1000)) throw new Error(`usage windowMs must be whole seconds dividing a minute, got ${this.options.windowMs}`);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flushClosed(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  private activityOf(slot: UsageSlot, token: { accountId: AccountId; id: TokenId }): TokenActivity {
    const held = slot.usage as TokenActivity | undefined;
    if (held !== undefined && held.period === this.period) return held;
    const activity: TokenActivity = { period: this.period, accountId: token.accountId, tokenId: token.id, uses: 0, lastMs: 0, current: null };
    slot.usage = activity;
    this.active.push(activity);
    return activity;
  }

  /** A granted use that is not a check to record (authenticating a management call): no I/O, no formatting. */
  recordUse(slot: UsageSlot, token: { accountId: AccountId; id: TokenId }, atMs: number): void {
    const activity = this.activityOf(slot, token);
    activity.uses += 1;
    if (atMs > activity.lastMs) activity.lastMs = atMs;
  }

  /**
   * A check of a known token, whatever its outcome (`granted` also counts a use). A repeat of the token's
   * previous check in the same window only increments a count; anything else starts a new event.
   */
  recordCheck(slot: UsageSlot, token: { accountId: AccountId; id: TokenId }, atMs: number, granted: boolean, check: UsageCheck): void {
    const activity = this.activityOf(slot, token);
    if (granted) {
      activity.uses += 1;
      if (atMs > activity.lastMs) activity.lastMs = atMs;
    }
    const current = activity.current;
    if (current !== null && sameEvent(current, atMs, check)) {
      current.count += 1;
      return;
    }
    if (current !== null) this.completed.push(current);
    const windowStartMs = atMs - (atMs % this.options.windowMs);
    // One object literal (not a spread): every event has the same shape, so the comparisons above stay fast.
    activity.current = {
      accountId: token.accountId,
      tokenId: token.id,
      atMs,
      kind: check.kind,
      subject: check.subject,
      outcome: check.outcome,
      clientIp: check.clientIp,
      endpoint: check.endpoint,
      count: 1,
      windowStartMs,
      windowEndMs: windowStartMs + this.options.windowMs,
    };
    // Bounded even if flushes stall: fold into counts (exact) and the windows (capped) early.
    if (this.completed.length >= this.options.maxPendingEvents) this.foldChecks();
  }

  /** Moves this period's uses and events into the batch structures: counters, and events and roll-ups per window. */
  private foldChecks(): void {
    const events = this.completed;
    this.completed = [];
    for (const activity of this.active) {
      if (activity.uses > 0) {
        this.mergeCounter({ accountId: activity.accountId, tokenId: activity.tokenId, count: activity.uses, lastUsedAt: new Date(activity.lastMs).toISOString() });
      }
      if (activity.current !== null) events.push(activity.current);
    }
    this.active = [];
    // Every slot now holds an activity of a past period: the next use of each token starts a new one.
    this.period += 1;
    for (const event of events) this.addEvent(event);
    this.capPendingEvents();
  }

  private windowAt(startMs: number): UsageWindow {
    let window = this.windows.get(startMs);
    if (!window) this.windows.set(startMs, (window = { startMs, events: new Map(), minutes: new Map() }));
    return window;
  }

  private addEvent(event: PendingEvent): void {
    const window = this.windowAt(event.windowStartMs);
    this.addRawEvent(window, event);
    const key = minuteKey(event);
    const minute = window.minutes.get(key);
    if (minute) minute.count += event.count;
    else window.minutes.set(key, { accountId: event.accountId, tokenId: event.tokenId, outcome: event.outcome, endpoint: event.endpoint, count: event.count });
  }

  private addRawEvent(window: UsageWindow, event: PendingEvent): void {
    const key = eventKey(event);
    const same = window.events.get(key);
    if (same) {
      same.count += event.count;
      if (event.atMs < same.atMs) same.atMs = event.atMs;
    } else {
      window.events.set(key, event);
      this.pendingEvents += 1;
    }
  }

  /** Writes the counters and every window, open ones included (tests, shutdown). Batches are serialised. */
  flush(): Promise<void> {
    return this.enqueue(() => true);
  }

  /** The periodic flush: the counters, and the windows that have closed. */
  flushClosed(): Promise<void> {
    return this.enqueue((window) => window.startMs + this.options.windowMs <= this.clock.now());
  }

  private enqueue(due: (window: UsageWindow) => boolean): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      await this.writePending(due);
      await this.sweepIfDue();
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async writePending(due: (window: UsageWindow) => boolean): Promise<void> {
    this.foldChecks();
    // Taken out before the write, so that events folded while it is in flight go to fresh windows, not lost ones.
    const taken = [...this.windows.values()].filter(due);
    for (const window of taken) this.windows.delete(window.startMs);
    if (this.counters.size === 0 && taken.length === 0) return;
    const counters = [...this.counters.values()];
    this.counters = new Map();
    const { events, minutes } = this.toRows(taken);
    try {
      await this.store.writeUsage({ counters, events, minutes });
      for (const window of taken) this.pendingEvents -= window.events.size;
    } catch (error) {
      this.logger.error({ err: error, tokens: counters.length, events: events.length }, 'usage batch write failed; will retry');
      for (const delta of counters) this.mergeCounter(delta);
      for (const window of taken) this.restoreWindow(window);
    }
  }

  /** Ids and timestamps are made here rather than per request: the verify path stays a few property updates. */
  private toRows(windows: readonly UsageWindow[]): { events: UsageEventRecord[]; minutes: UsageMinuteDelta[] } {
    // One random id per batch and a counter keep ids unique without a CSPRNG call per event.
    const batchId = newId('usageEvent', this.randomBytes);
    const events: UsageEventRecord[] = [];
    const minutes: UsageMinuteDelta[] = [];
    let lastMs = Number.NaN;
    let lastIso = '';
    for (const window of windows) {
      for (const e of window.events.values()) {
        events.push({
          id: `${batchId}${events.length.toString(36)}`,
          accountId: e.accountId,
          tokenId: e.tokenId,
          at: e.atMs === lastMs ? lastIso : ((lastMs = e.atMs), (lastIso = new Date(e.atMs).toISOString())),
          kind: e.kind,
          subject: e.subject,
          outcome: e.outcome,
          clientIp: e.clientIp,
          count: e.count,
        });
      }
      const minute = new Date(window.startMs - (window.startMs % 60_000)).toISOString();
      for (const m of window.minutes.values()) minutes.push({ ...m, minute });
    }
    return { events, minutes };
  }

  /** Puts a window whose write failed back, merging with anything recorded for it meanwhile. */
  private restoreWindow(window: UsageWindow): void {
    const current = this.windows.get(window.startMs);
    if (!current) {
      this.windows.set(window.startMs, window);
    } else {
      this.pendingEvents -= window.events.size;
      for (const event of window.events.values()) this.addRawEvent(current, event);
      for (const [key, row] of window.minutes) {
        const same = current.minutes.get(key);
        if (same) same.count += row.count;
        else current.minutes.set(key, row);
      }
    }
    // Oldest first, as the cap expects.
    this.windows = new Map([...this.windows.entries()].sort(([a], [b]) => a - b));
    this.capPendingEvents();
  }

  private async sweepIfDue(): Promise<void> {
    const nowMs = this.clock.now();
    if (nowMs - this.lastSweepMs < this.options.sweepIntervalMs) return;
    this.lastSweepMs = nowMs;
    try {
      const removed = await this.store.deleteUsageEventsBefore(new Date(nowMs - this.options.retentionMs).toISOString());
      if (removed > 0) this.logger.debug({ removed }, 'usage events past retention removed');
    } catch (error) {
      this.logger.warn({ err: error }, 'usage retention sweep failed; will retry');
      this.lastSweepMs = Number.NEGATIVE_INFINITY;
    }
  }

  /**
   * A long outage must not exhaust memory: beyond the cap the oldest raw events are dropped and counted. The
   * roll-ups and counters stay exact (they grow with tokens and minutes, not with distinct checks).
   */
  private capPendingEvents(): void {
    let excess = this.pendingEvents - this.options.maxPendingEvents;
    if (excess <= 0) return;
    if (this.dropped === 0) this.logger.warn({ max: this.options.maxPendingEvents }, 'usage event buffer full; dropping the oldest');
    for (const window of this.windows.values()) {
      for (const key of window.events.keys()) {
        if (excess <= 0) return;
        window.events.delete(key);
        this.pendingEvents -= 1;
        this.dropped += 1;
        excess -= 1;
      }
    }
  }

  private mergeCounter(delta: UsageDelta): void {
    const key = `${delta.accountId}\u0000${delta.tokenId}`;
    const current = this.counters.get(key);
    if (!current) {
      this.counters.set(key, delta);
      return;
    }
    current.count += delta.count;
    if (delta.lastUsedAt > current.lastUsedAt) current.lastUsedAt = delta.lastUsedAt;
  }
}
