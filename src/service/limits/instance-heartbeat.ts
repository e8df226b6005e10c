/**
 * How many instances share the database (issue 19): each instance touches its row in `instances` at its limits'
 * flushes, and one unseen for three intervals is gone. Credits and rate limits share it: each instance spends only
 * its share of what is left between two syncs (docs/limits.md).
 */
import type { Store } from '../../store/store.js';

export class InstanceHeartbeat {
  /** Instances alive on the database, this one included, as the last heartbeat told. */
  private alive = 1;
  private beatAtMs = Number.NEGATIVE_INFINITY;
  private beating: Promise<void> | undefined;

  /**
   * `shared`: whether other instances can share the database (PostgreSQL). A SQLite file is one instance's (several
   * processes on one file are not a deployment Tessera offers, docs/limits.md): nothing is written then, so an idle
   * server writes nothing each second, and a write lock held by another process never queues a heartbeat in front
   * of the reads on the one connection.
   */
  constructor(
    private readonly store: Pick<Store, 'touchInstance'>,
    private readonly instanceId: string,
    private readonly intervalMs: number,
    private readonly shared = true,
  ) {}

  get instances(): number {
    return this.alive;
  }

  /** Touches this instance's row unless that was done less than an interval ago (or is under way); rejects when the store does. */
  beat(nowMs: number): Promise<void> {
    if (!this.shared) return Promise.resolve();
    if (this.beating) return this.beating;
    if (nowMs - this.beatAtMs < this.intervalMs) return Promise.resolve();
    this.beating = this.store
      .touchInstance(this.instanceId, nowMs, nowMs - 3 * this.intervalMs)
      .then((n) => {
        this.alive = Math.max(1, n);
        this.beatAtMs = nowMs;
      })
      .finally(() => {
        this.beating = undefined;
      });
    return this.beating;
  }
}

/**
 * An instance's share of what is left between syncs: 1 / (4 × instances), rounded up so one unit is always spendable;
 * unbounded when it is the only instance. A quarter of an even split leaves room for what the others spent and have
 * not written yet. A simulation of random interleavings of two instances found at most 5 % overspent with half an
 * even split (25 % with an even split), but two services in one process checking as fast as their event loop allows
 * (`credit-ledger.test.ts`) overspent up to 15.6 % with it in 1 run of 10 (8–13 % in several more); with a quarter,
 * 0.0–0.4 % in every run. The price is twice as many syncs, all near a balance's or a window's end.
 */
export function shareOf(left: number, instances: number): number {
  if (instances <= 1) return Number.POSITIVE_INFINITY;
  return Math.ceil(Math.max(0, left) / (4 * instances));
}
