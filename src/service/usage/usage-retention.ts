/** The retention sweep: raw usage events past their retention are removed (roll-ups are kept). */
import type { Logger } from 'pino';
import type { Store } from '../../store/store.js';
import type { Clock } from '../context.js';

export interface UsageRetentionOptions {
  /** How long raw events are kept, ms. */
  retentionMs: number;
  /** How often the sweep runs, ms. */
  sweepIntervalMs: number;
}

export class UsageRetention {
  private lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: Pick<Store, 'deleteUsageEventsBefore'>,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly options: UsageRetentionOptions,
  ) {}

  /** Sweeps when the interval has passed since the last sweep; a failed sweep is retried at the next call. */
  async sweepIfDue(): Promise<void> {
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
}
