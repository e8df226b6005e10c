/**
 * Usage held in memory until it is written: per token, the uses since the last flush and the event its latest
 * check is counted in; per usage window, the raw events begun in it. Bounded: beyond the cap the oldest raw
 * events are dropped (their roll-ups kept).
 */
import type { Logger } from 'pino';
import type { AccountId, TokenId } from '../../core/types.js';
import type { UsageDelta, UsageKind, UsageMinuteDelta } from '../../store/store.js';

/** One check of a known token, as the verify (or authorize) path reports it. */
export interface UsageCheck {
  kind: UsageKind;
  subject: string | null;
  outcome: string;
  clientIp: string | null;
  /** Roll-up key: the catalog endpoint (`GET /devices/{id}`), or null for a scope check. */
  endpoint: string | null;
  /** Roll-up key: what refused a RATE_LIMITED or USAGE_EXCEEDED check (`token:<name>`, `identity:<name>`, `credits`). */
  refusedBy: string | null;
}

/** A usage event before it has an id: identical checks within one window, counted. */
export interface PendingEvent extends UsageCheck {
  accountId: AccountId;
  tokenId: TokenId;
  /** The first check's time. */
  atMs: number;
  count: number;
  /** The window holding `atMs`, as [start, end): precomputed so the verify path only compares numbers. */
  windowStartMs: number;
  windowEndMs: number;
  /** Taken for writing (or dropped): its count is final, the next identical check starts a new event. */
  sealed: boolean;
}

/** Same window, same check and outcome from the same address, not yet taken: counted into one event. */
function sameEvent(event: PendingEvent, atMs: number, check: UsageCheck): boolean {
  return atMs >= event.windowStartMs && atMs < event.windowEndMs && !event.sealed && sameCheck(event, check);
}

/** The same check with the same outcome from the same address (of one token: the caller compares tokens if need be). */
export function sameCheck(a: UsageCheck, b: UsageCheck): boolean {
  return (
    a.outcome === b.outcome &&
    a.kind === b.kind &&
    a.subject === b.subject &&
    a.clientIp === b.clientIp &&
    a.endpoint === b.endpoint &&
    a.refusedBy === b.refusedBy
  );
}

/** What one cached token is doing: uses since the last flush, and the event its latest check is counted in. */
interface TokenActivity {
  accountId: AccountId;
  tokenId: TokenId;
  /** Granted uses since the last flush; the activity is on the flush list while this is above zero. */
  uses: number;
  lastMs: number;
  /** The latest check's event; identical checks that follow in the same window only add to its count. */
  current: PendingEvent | null;
}

/**
 * Where the verify path keeps a token's activity: on its cache entry, so that recording a check is a property
 * read rather than a lookup. Opaque outside the buffer.
 */
export interface UsageSlot {
  usage?: unknown;
}

/** One window's events, each listed once when it began; identical ones (checks alternating) merge when written. */
export interface UsageWindow {
  startMs: number;
  events: PendingEvent[];
  /** Roll-up counts of events dropped from `events` by the memory cap, by minuteKey: the roll-ups stay exact. */
  dropped: Map<string, MinuteRow>;
}

export type MinuteRow = Omit<UsageMinuteDelta, 'minute'>;

export function addToMinutes(rows: Map<string, MinuteRow>, key: string, e: MinuteRow): void {
  const row = rows.get(key);
  if (row) row.count += e.count;
  else rows.set(key, { accountId: e.accountId, tokenId: e.tokenId, outcome: e.outcome, endpoint: e.endpoint, refusedBy: e.refusedBy, count: e.count });
}

export const minuteKey = (e: PendingEvent) => `${e.accountId}\u0000${e.tokenId}\u0000${e.outcome}\u0000${e.endpoint ?? ''}\u0000${e.refusedBy ?? ''}`;

export interface UsageBufferOptions {
  /** The usage window, ms (divides a minute). */
  windowMs: number;
  /** Raw events held while the database cannot take them; the oldest are dropped beyond this (counted, logged). */
  maxPendingEvents: number;
}

export class UsageBuffer {
  /** Activities with uses since the last flush, each also reachable from its token's slot. */
  private used: TokenActivity[] = [];
  /** Counters of a batch the database refused, written with the next. */
  private retryCounters: UsageDelta[] = [];
  /** Windows with events not yet written, by start time. */
  private windows = new Map<number, UsageWindow>();
  private pendingEvents = 0;
  /** Events dropped because the buffer was full while the database was unreachable. */
  dropped = 0;

  constructor(
    private readonly logger: Logger,
    private readonly options: UsageBufferOptions,
  ) {}

  private activityOf(slot: UsageSlot, token: { accountId: AccountId; id: TokenId }): TokenActivity {
    const held = slot.usage as TokenActivity | undefined;
    if (held !== undefined) return held;
    const activity: TokenActivity = { accountId: token.accountId, tokenId: token.id, uses: 0, lastMs: 0, current: null };
    slot.usage = activity;
    return activity;
  }

  private addUse(activity: TokenActivity, atMs: number): void {
    if (activity.uses === 0) this.used.push(activity);
    activity.uses += 1;
    if (atMs > activity.lastMs) activity.lastMs = atMs;
  }

  /** A granted use that is not a check to record (authenticating a management call): no I/O, no formatting. */
  recordUse(slot: UsageSlot, token: { accountId: AccountId; id: TokenId }, atMs: number): void {
    this.addUse(this.activityOf(slot, token), atMs);
  }

  /**
   * A check of a known token, whatever its outcome (`granted` also counts a use). A repeat of the token's
   * previous check in the same window only increments a count; anything else starts a new event.
   */
  recordCheck(slot: UsageSlot, token: { accountId: AccountId; id: TokenId }, atMs: number, granted: boolean, check: UsageCheck): void {
    const activity = this.activityOf(slot, token);
    if (granted) this.addUse(activity, atMs);
    const current = activity.current;
    if (current !== null && sameEvent(current, atMs, check)) {
      current.count += 1;
      return;
    }
    const windowStartMs = atMs - (atMs % this.options.windowMs);
    // One object literal (not a spread): every event has the same shape, so the comparisons above stay fast.
    const event: PendingEvent = {
      accountId: token.accountId,
      tokenId: token.id,
      atMs,
      kind: check.kind,
      subject: check.subject,
      outcome: check.outcome,
      clientIp: check.clientIp,
      endpoint: check.endpoint,
      refusedBy: check.refusedBy,
      count: 1,
      windowStartMs,
      windowEndMs: windowStartMs + this.options.windowMs,
      sealed: false,
    };
    activity.current = event;
    this.windowAt(windowStartMs).events.push(event);
    this.pendingEvents += 1;
    // Bounded even if writes fail for long: beyond the cap the oldest events are dropped (their roll-ups kept).
    if (this.pendingEvents > this.options.maxPendingEvents) this.dropOldestEvents();
  }

  private windowAt(startMs: number): UsageWindow {
    let window = this.windows.get(startMs);
    if (!window) this.windows.set(startMs, (window = { startMs, events: [], dropped: new Map() }));
    return window;
  }

  /**
   * This period's uses, taken (counted from zero again): made into counter deltas a part at a time by `countersOf`,
   * so that 10,000 of them do not all stay alive through a write of many turns (usage-writer.ts).
   */
  takeCounters(): TakenCounters {
    const retried = this.retryCounters;
    this.retryCounters = [];
    const activities = this.used;
    this.used = [];
    const uses = new Float64Array(activities.length);
    const lastMs = new Float64Array(activities.length);
    for (let i = 0; i < activities.length; i++) {
      const activity = activities[i]!;
      uses[i] = activity.uses;
      lastMs[i] = activity.lastMs;
      activity.uses = 0;
    }
    return { length: retried.length + activities.length, retried, activities, uses, lastMs };
  }

  /** The windows `due` picks, taken out with their events sealed: checks that follow start fresh events. */
  takeWindows(due: (window: UsageWindow) => boolean): UsageWindow[] {
    const taken = [...this.windows.values()].filter(due);
    for (const window of taken) {
      this.windows.delete(window.startMs);
      for (const event of window.events) event.sealed = true;
    }
    return taken;
  }

  /** Taken windows the database has stored: their events no longer count against the cap. */
  written(windows: readonly UsageWindow[]): void {
    for (const window of windows) this.pendingEvents -= window.events.length;
  }

  /**
   * The part of a taken window the database did not store (its first parts were): back in place, counted again
   * against the cap (`written` has uncounted the whole window).
   */
  putBack(window: UsageWindow): void {
    this.pendingEvents += window.events.length;
    this.restoreWindow(window);
  }

  /** A batch the database refused: its counters go with the next, its windows back in place. */
  restore(counters: UsageDelta[], windows: readonly UsageWindow[]): void {
    this.retryCounters = [...counters, ...this.retryCounters];
    for (const window of windows) this.restoreWindow(window);
  }

  /** Puts a window whose write failed back (its events sealed), beside any begun for it meanwhile. */
  private restoreWindow(window: UsageWindow): void {
    const current = this.windows.get(window.startMs);
    if (current) {
      current.events.unshift(...window.events);
      for (const [key, row] of window.dropped) addToMinutes(current.dropped, key, row);
    } else {
      this.windows.set(window.startMs, window);
      // Oldest first, as dropping expects.
      this.windows = new Map([...this.windows.entries()].sort(([a], [b]) => a - b));
    }
    if (this.pendingEvents > this.options.maxPendingEvents) this.dropOldestEvents();
  }

  /**
   * A long outage must not exhaust memory: beyond the cap the oldest raw events are dropped and counted. The
   * roll-ups and counters stay exact (they grow with tokens and minutes, not with distinct checks).
   */
  private dropOldestEvents(): void {
    if (this.dropped === 0) this.logger.warn({ max: this.options.maxPendingEvents }, 'usage event buffer full; dropping the oldest');
    let excess = this.pendingEvents - this.options.maxPendingEvents;
    for (const window of this.windows.values()) {
      if (excess <= 0) return;
      const gone = window.events.splice(0, Math.min(excess, window.events.length));
      for (const event of gone) {
        event.sealed = true;
        addToMinutes(window.dropped, minuteKey(event), event);
      }
      this.pendingEvents -= gone.length;
      this.dropped += gone.length;
      excess -= gone.length;
    }
  }
}

/** Uses taken from the buffer: counters of a batch the database refused first, then each activity's, as taken. */
export interface TakenCounters {
  length: number;
  retried: readonly UsageDelta[];
  activities: readonly { accountId: AccountId; tokenId: TokenId }[];
  uses: Float64Array;
  lastMs: Float64Array;
}

/** Counter deltas `from` to `to` (exclusive) of taken uses (a token listed twice is added twice: the store adds). */
export function countersOf(taken: TakenCounters, from: number, to: number): UsageDelta[] {
  const counters: UsageDelta[] = [];
  const isoOf = isoMemo();
  const end = Math.min(to, taken.length);
  for (let i = from; i < end; i++) {
    if (i < taken.retried.length) {
      counters.push(taken.retried[i]!);
      continue;
    }
    const at = i - taken.retried.length;
    const { accountId, tokenId } = taken.activities[at]!;
    counters.push({ accountId, tokenId, count: taken.uses[at]!, lastUsedAt: isoOf(taken.lastMs[at]!) });
  }
  return counters;
}

/** `toISOString` of epoch ms, each distinct value formatted once (many uses fall in the same millisecond). */
export function isoMemo(): (ms: number) => string {
  const seen = new Map<number, string>();
  return (ms) => {
    let iso = seen.get(ms);
    if (iso === undefined) seen.set(ms, (iso = new Date(ms).toISOString()));
    return iso;
  };
}
