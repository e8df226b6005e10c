/**
 * Usage recording, off the request path: uses, last-used times, raw usage events and per-minute roll-ups are
 * held in memory (usage-buffer.ts) and written in batches (usage-writer.ts): the counters on every flush (about
 * once a second), the events and roll-ups of a usage window once it has closed. After each batch, the retention
 * sweep (usage-retention.ts) removes raw events past their retention.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AccountId, TokenId } from '../../core/types.js';
import { DEFAULT_USAGE_WINDOW_SECONDS, isUsageWindowSeconds } from '../../core/usage-window.js';
import type { Store } from '../../store/store.js';
import type { Clock, RandomBytes } from '../context.js';
import { UsageBuffer, type UsageCheck, type UsageSlot, type UsageWindow } from './usage-buffer.js';
import { UsageRetention } from './usage-retention.js';
import { UsageWriter } from './usage-writer.js';

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

export const defaultUsageRecorderOptions: UsageRecorderOptions = {
  flushIntervalMs: 1000,
  windowMs: DEFAULT_USAGE_WINDOW_SECONDS * 1000,
  retentionMs: DEFAULT_USAGE_RETENTION_DAYS * 86_400_000,
  maxPendingEvents: 100_000,
  sweepIntervalMs: 60_000,
};

export class UsageRecorder {
  private readonly buffer: UsageBuffer;
  private readonly writer: UsageWriter;
  private readonly retention: UsageRetention;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly options: UsageRecorderOptions;

  constructor(
    store: Pick<Store, 'writeUsage' | 'deleteUsageEventsBefore'>,
    logger: Logger,
    options: Partial<UsageRecorderOptions> = {},
    private readonly clock: Clock = { now: () => Date.now() },
    randomBytes: RandomBytes = (n) => cryptoRandomBytes(n),
  ) {
    this.options = { ...defaultUsageRecorderOptions, ...options };
    if (!isUsageWindowSeconds(this.options.windowMs / 1000)) throw new Error(`usage windowMs must be whole seconds dividing a minute, got ${this.options.windowMs}`);
    this.buffer = new UsageBuffer(logger, this.options);
    this.writer = new UsageWriter(store, logger, randomBytes);
    this.retention = new UsageRetention(store, logger, clock, this.options);
  }

  /** Events dropped because the buffer was full while the database was unreachable. */
  get dropped(): number {
    return this.buffer.dropped;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flushClosed(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** A granted use that is not a check to record (authenticating a management call): no I/O, no formatting. */
  recordUse(slot: UsageSlot, token: { accountId: AccountId; id: TokenId }, atMs: number): void {
    this.buffer.recordUse(slot, token, atMs);
  }

  /** A check of a known token, whatever its outcome (`granted` also counts a use); see UsageBuffer.recordCheck. */
  recordCheck(slot: UsageSlot, token: { accountId: AccountId; id: TokenId }, atMs: number, granted: boolean, check: UsageCheck): void {
    this.buffer.recordCheck(slot, token, atMs, granted, check);
  }

  /** Writes the counters and every window, the open one included (tests, shutdown). Batches are serialised. */
  flush(): Promise<void> {
    return this.enqueue(() => true);
  }

  /** The periodic flush: the counters, and the windows that have closed. */
  flushClosed(): Promise<void> {
    return this.enqueue((window) => window.startMs + this.options.windowMs <= this.clock.now());
  }

  private enqueue(due: (window: UsageWindow) => boolean): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      await this.writer.write(this.buffer, due);
      await this.retention.sweepIfDue();
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
