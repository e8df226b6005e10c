/** Counts uses and last-used times in memory and writes them in one batch per interval, off the request path. */
import type { Logger } from 'pino';
import type { AccountId, TokenId } from '../core/types.js';
import type { Store, UsageDelta } from '../store/store.js';

export interface UsageRecorderOptions {
  /** Interval between batch writes, ms. The issue asks that usage be at most about 1 s late. */
  flushIntervalMs: number;
}

export class UsageRecorder {
  private pending = new Map<string, UsageDelta>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<Store, 'applyUsage'>,
    private readonly logger: Logger,
    private readonly options: UsageRecorderOptions = { flushIntervalMs: 1000 },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Called on the verify path: a map update, no I/O. */
  record(accountId: AccountId, tokenId: TokenId, atMs: number): void {
    const key = `${accountId}\u0000${tokenId}`;
    const at = new Date(atMs).toISOString();
    const delta = this.pending.get(key);
    if (delta) {
      delta.count += 1;
      if (at > delta.lastUsedAt) delta.lastUsedAt = at;
    } else {
      this.pending.set(key, { accountId, tokenId, count: 1, lastUsedAt: at });
    }
  }

  /** Writes what has accumulated. Batches are serialised so counts are never applied twice or lost. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = [...this.pending.values()];
      this.pending = new Map();
      try {
        await this.store.applyUsage(batch);
      } catch (error) {
        this.logger.error({ err: error, tokens: batch.length }, 'usage batch write failed; will retry');
        for (const delta of batch) this.merge(delta);
      }
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private merge(delta: UsageDelta): void {
    const key = `${delta.accountId}\u0000${delta.tokenId}`;
    const current = this.pending.get(key);
    if (!current) {
      this.pending.set(key, delta);
      return;
    }
    current.count += delta.count;
    if (delta.lastUsedAt > current.lastUsedAt) current.lastUsedAt = delta.lastUsedAt;
  }
}
