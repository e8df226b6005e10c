/**
 * `token.rate_limited` without touching the database on the check path: a refused check only notes, in memory, which
 * token hit which limit in which window; a background flush (every second) writes each note as one event, claimed
 * by a mark so that several instances refusing the same token in the same window tell it once.
 */
import type { AccountId, TokenId } from '../../core/types.js';
import type { LimitState } from '../limits/rate-limiter.js';
import type { ServiceContext } from '../context.js';
import { auditSnapshot } from '../tokens/token-view.js';
import { emitEvent } from './emit-event.js';

interface Notice {
  accountId: AccountId;
  tokenId: TokenId;
  state: LimitState;
}

/** Notes kept between flushes; beyond this a refusal goes untold (a flood must not grow memory). */
const MAX_PENDING = 10_000;

export class RateLimitNotices {
  /** Windows already noted (key → its end, epoch ms), so a token refused a thousand times in a window is noted once. */
  private readonly noted = new Map<string, number>();
  private pending: Notice[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  /** On the check path: a Map lookup per exceeded limit, nothing else. */
  note(accountId: AccountId, tokenId: TokenId, states: readonly LimitState[]): void {
    for (const state of states) {
      if (!state.exceeded) continue;
      const key = `${tokenId}\u0000${state.holder}\u0000${state.holderId}\u0000${state.name}\u0000${state.resetAtMs}`;
      if (this.noted.has(key) || this.pending.length >= MAX_PENDING) continue;
      this.noted.set(key, state.resetAtMs);
      this.pending.push({ accountId, tokenId, state });
    }
  }

  start(ctx: ServiceContext, intervalMs: number): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.running !== undefined) return;
      this.running = this.flush(ctx)
        .then(() => undefined)
        .catch((error: unknown) => ctx.logger.warn({ err: error }, 'rate-limit events not written'))
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(ctx: ServiceContext): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.flush(ctx).catch(() => undefined);
  }

  /** Writes the pending notes as events (each once across instances); returns how many were written. */
  async flush(ctx: ServiceContext): Promise<number> {
    const nowMs = ctx.clock.now();
    for (const [key, endMs] of this.noted) if (endMs <= nowMs) this.noted.delete(key);
    const batch = this.pending;
    this.pending = [];
    let written = 0;
    for (const { accountId, tokenId, state } of batch) {
      const windowEndsAt = new Date(state.resetAtMs).toISOString();
      const told = await ctx.store.transaction(async (tx) => {
        const mark = `${state.holder}:${state.holderId}:${state.name}@${windowEndsAt}`;
        if (!(await tx.claimWebhookMark({ accountId, tokenId, kind: 'rate_limited', mark }))) return false;
        const token = await tx.getToken(accountId, tokenId);
        if (token === undefined) return false;
        const limit = { name: state.name, holder: state.holder, holderId: state.holderId, limit: state.limit, durationSeconds: state.durationMs / 1000 };
        await emitEvent(tx, accountId, 'token.rate_limited', { token: auditSnapshot(token, nowMs), limit, windowEndsAt }, new Date(nowMs).toISOString());
        return true;
      });
      if (told) written += 1;
    }
    return written;
  }
}
