/**
 * Counts uses, last-used times, raw usage events and per-minute roll-ups in memory, and writes them in one
 * batch per interval, off the request path. A retention sweep removes raw events past their window.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { newId } from '../core/ids.js';
import type { AccountId, TokenId } from '../core/types.js';
import type { Store, UsageDelta, UsageEventRecord, UsageKind, UsageMinuteDelta } from '../store/store.js';
import type { Clock, RandomBytes } from './context.js';

export interface UsageRecorderOptions {
  /** Interval between batch writes, ms. The issue asks that usage be at most about 1 s late. */
  flushIntervalMs: number;
  /** How long raw events are kept, ms (roll-ups are kept). */
  retentionMs: number;
  /** Raw events held while the database cannot take them; the oldest are dropped beyond this (counted, logged). */
  maxPendingEvents: number;
  /** How often the retention sweep runs, ms. */
  sweepIntervalMs: number;
}

export const DEFAULT_USAGE_RETENTION_DAYS = 7;

export const defaultUsageRecorderOptions: UsageRecorderOptions = {
  flushIntervalMs: 1000,
  retentionMs: DEFAULT_USAGE_RETENTION_DAYS * 86_400_000,
  maxPendingEvents: 100_000,
  sweepIntervalMs: 60_000,
};

/** One check of a known token, as the verify (or authorize) path reports it. */
export interface UsageCheck {
  accountId: AccountId;
  tokenId: TokenId;
  atMs: number;
  kind: UsageKind;
  subject: string | null;
  outcome: string;
  clientIp: string | null;
  /** Roll-up key: the catalog endpoint (`GET /devices/{id}`), or null for a scope check. */
  endpoint: string | null;
}

/** A usage event before it has an id: identical checks within one second, counted. */
type PendingEvent = UsageCheck & {
  count: number;
  /** The second holding `atMs`, as [start, end): precomputed so the verify path only compares numbers. */
  secondStartMs: number;
  secondEndMs: number;
};

/**
 * Identical checks (token, kind, subject, outcome, client IP) within one second become one event with a
 * count: the table grows with distinct traffic, not with request rate, and a hot token costs one row a second.
 */
function coalesce(pending: readonly PendingEvent[]): PendingEvent[] {
  const events = new Map<string, PendingEvent>();
  for (const event of pending) {
    const key = `${event.accountId}\u0000${event.tokenId}\u0000${event.secondStartMs}\u0000${event.kind}\u0000${event.outcome}\u0000${event.subject ?? ''}\u0000${event.clientIp ?? ''}\u0000${event.endpoint ?? ''}`;
    const same = events.get(key);
    if (same) same.count += event.count;
    else events.set(key, { ...event });
  }
  return [...events.values()];
}

/** Same token, same second, same check and outcome from the same address: counted into one event. */
function sameEvent(event: PendingEvent, check: UsageCheck): boolean {
  return (
    check.atMs >= event.secondStartMs &&
    check.atMs < event.secondEndMs &&
    check.outcome === event.outcome &&
    check.kind === event.kind &&
    check.subject === event.subject &&
    check.clientIp === event.clientIp &&
    check.endpoint === event.endpoint
  );
}

/** What one cached token record did since the last flush: granted uses, and the event being counted. */
interface TokenActivity {
  accountId: AccountId;
  tokenId: TokenId;
  uses: number;
  lastMs: number;
  /** The latest check's event; identical checks that follow in the same second only add to its count. */
  current: PendingEvent | null;
}

export class UsageRecorder {
  /**
   * Keyed by the token record itself: an identity-hashed Map lookup, no string key or date formatting on the
   * verify path. Two records of one token (after a cache refresh) are merged at flush.
   */
  private activity = new Map<object, TokenActivity>();
  /** Events complete on the verify path (a different check followed), folded into the batch at flush. */
  private completed: PendingEvent[] = [];
  private counters = new Map<string, UsageDelta>();
  private events: PendingEvent[] = [];
  private minutes = new Map<string, UsageMinuteDelta>();
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
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  private activityOf(token: { accountId: AccountId; id: TokenId }): TokenActivity {
    let activity = this.activity.get(token);
    if (!activity) {
      activity = { accountId: token.accountId, tokenId: token.id, uses: 0, lastMs: 0, current: null };
      this.activity.set(token, activity);
    }
    return activity;
  }

  /** Called on the verify path for a granted use: one identity-keyed Map lookup, no I/O, no formatting. */
  record(token: { accountId: AccountId; id: TokenId }, atMs: number): void {
    const activity = this.activityOf(token);
    activity.uses += 1;
    if (atMs > activity.lastMs) activity.lastMs = atMs;
  }

  /**
   * Called on the verify path for every check of a known token, whatever its outcome. A repeat of the token's
   * previous check in the same second only increments a count; anything else starts a new event.
   */
  recordCheck(token: { accountId: AccountId; id: TokenId }, check: UsageCheck): void {
    const activity = this.activityOf(token);
    const current = activity.current;
    if (current !== null && sameEvent(current, check)) {
      current.count += 1;
      return;
    }
    if (current !== null) this.completed.push(current);
    const secondStartMs = Math.floor(check.atMs / 1000) * 1000;
    // One object literal (not a spread): every event has the same shape, so the comparisons above stay fast.
    activity.current = {
      accountId: check.accountId,
      tokenId: check.tokenId,
      atMs: check.atMs,
      kind: check.kind,
      subject: check.subject,
      outcome: check.outcome,
      clientIp: check.clientIp,
      endpoint: check.endpoint,
      count: 1,
      secondStartMs,
      secondEndMs: secondStartMs + 1000,
    };
    // Bounded even if flushes stall: fold into counts (exact) and the event buffer (capped) early.
    if (this.completed.length >= this.options.maxPendingEvents) this.foldChecks();
  }

  /** Moves recorded uses and events into the batch structures (counters, raw events, per-minute roll-ups). */
  private foldChecks(): void {
    const events = this.completed;
    this.completed = [];
    for (const activity of this.activity.values()) {
      if (activity.uses > 0) {
        this.mergeCounter({ accountId: activity.accountId, tokenId: activity.tokenId, count: activity.uses, lastUsedAt: new Date(activity.lastMs).toISOString() });
      }
      if (activity.current !== null) events.push(activity.current);
    }
    this.activity = new Map();
    const coalesced = coalesce(events);
    for (const event of coalesced) {
      const minuteMs = event.atMs - (event.atMs % 60_000);
      this.mergeMinute({
        accountId: event.accountId,
        tokenId: event.tokenId,
        minute: new Date(minuteMs).toISOString(),
        outcome: event.outcome,
        endpoint: event.endpoint,
        count: event.count,
      });
    }
    this.pushEvents(coalesced);
  }

  /** Writes what has accumulated. Batches are serialised so counts are never applied twice or lost. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      await this.writePending();
      await this.sweepIfDue();
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async writePending(): Promise<void> {
    this.foldChecks();
    if (this.counters.size === 0 && this.events.length === 0 && this.minutes.size === 0) return;
    const counters = [...this.counters.values()];
    const pendingEvents = this.events;
    const minutes = [...this.minutes.values()];
    this.counters = new Map();
    this.events = [];
    this.minutes = new Map();
    // Ids and timestamps are made here rather than per request: the verify path stays a few map updates.
    // One random id per batch and a counter keep ids unique without a CSPRNG call per event.
    const batchId = newId('usageEvent', this.randomBytes);
    let lastMs = Number.NaN;
    let lastIso = '';
    const events: UsageEventRecord[] = pendingEvents.map((e, i) => ({
      id: `${batchId}${i.toString(36)}`,
      accountId: e.accountId,
      tokenId: e.tokenId,
      at: e.atMs === lastMs ? lastIso : ((lastMs = e.atMs), (lastIso = new Date(e.atMs).toISOString())),
      kind: e.kind,
      subject: e.subject,
      outcome: e.outcome,
      clientIp: e.clientIp,
      count: e.count,
    }));
    try {
      await this.store.writeUsage({ counters, events, minutes });
    } catch (error) {
      this.logger.error({ err: error, tokens: counters.length, events: events.length }, 'usage batch write failed; will retry');
      for (const delta of counters) this.mergeCounter(delta);
      for (const row of minutes) this.mergeMinute(row);
      // Older events go back in front of any recorded meanwhile; the ids made above are dropped with the batch.
      const current = this.events;
      this.events = [];
      this.pushEvents(pendingEvents);
      this.pushEvents(current);
    }
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

  private pushEvents(events: PendingEvent[]): void {
    for (const event of events) this.events.push(event);
    const excess = this.events.length - this.options.maxPendingEvents;
    if (excess > 0) {
      // A long outage must not exhaust memory: keep the newest events, count what was lost.
      this.events.splice(0, excess);
      if (this.dropped === 0) this.logger.warn({ max: this.options.maxPendingEvents }, 'usage event buffer full; dropping the oldest');
      this.dropped += excess;
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

  private mergeMinute(row: UsageMinuteDelta): void {
    const key = `${row.accountId}\u0000${row.tokenId}\u0000${Date.parse(row.minute)}\u0000${row.outcome}\u0000${row.endpoint ?? ''}`;
    const current = this.minutes.get(key);
    if (current) current.count += row.count;
    else this.minutes.set(key, row);
  }
}

