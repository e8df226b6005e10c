/**
 * `token.rate_limited` and `token.credits_exhausted` without touching the database on the check path: a refused check
 * only notes, in memory, which token hit which limit in which window, or whose credits ran out; a background flush
 * (every second) writes each note as one event, claimed by a mark so that several instances refusing the same token
 * tell it once: once per token, limit and window, and once per token and credit holder per refill period (per UTC day
 * for credits without a refill).
 */
import type { AccountId, TokenId } from '../../core/types.js';
import type { CreditHolder } from '../limits/credit-ledger.js';
import type { LimitState } from '../limits/rate-limiter.js';
import type { ServiceContext } from '../context.js';
import { auditSnapshot } from '../tokens/token-view.js';
import { emitEvent } from './emit-event.js';

interface Notice {
  accountId: AccountId;
  tokenId: TokenId;
  type: 'token.rate_limited' | 'token.credits_exhausted';
  /** Claimed once across instances (webhook marks). */
  mark: string;
  /** The event's data beside the token. */
  data: Record<string, unknown>;
}

/** Notes kept between flushes; beyond this a refusal goes untold (a flood must not grow memory). */
const MAX_PENDING = 10_000;
/** How long this instance remembers that it noted spent credits (the database's mark decides after that). */
const CREDITS_NOTED_MS = 60_000;

export class LimitNotices {
  /** Notes already taken (key → until when, epoch ms), so a token refused a thousand times is noted once. */
  private readonly noted = new Map<string, number>();
  private pending: Notice[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  /** On the check path: a Map lookup per exceeded limit, nothing else. */
  note(accountId: AccountId, tokenId: TokenId, states: readonly LimitState[]): void {
    for (const state of states) {
      if (!state.exceeded) continue;
      const windowEndsAt = new Date(state.resetAtMs).toISOString();
      this.add(`${tokenId}\u0000${state.holder}\u0000${state.holderId}\u0000${state.name}\u0000${state.resetAtMs}`, state.resetAtMs, {
        accountId,
        tokenId,
        type: 'token.rate_limited',
        mark: `${state.holder}:${state.holderId}:${state.name}@${windowEndsAt}`,
        data: { limit: { name: state.name, holder: state.holder, holderId: state.holderId, limit: state.limit, durationSeconds: state.durationMs / 1000 }, windowEndsAt },
      });
    }
  }

  /**
   * On the check path, when `holder`'s credits refused a check: `periodMs` is the start of its refill period (`null`
   * without a refill: the UTC day is the period then, so a balance set again and spent again is told again).
   */
  noteCreditsExhausted(accountId: AccountId, tokenId: TokenId, holder: CreditHolder, periodMs: number | null, nowMs: number): void {
    const period = periodMs === null ? `day:${new Date(nowMs).toISOString().slice(0, 10)}` : `period:${new Date(periodMs).toISOString()}`;
    const { refill } = holder.credits;
    this.add(`${tokenId}\u0000credits\u0000${holder.holder}\u0000${holder.holderId}\u0000${period}`, nowMs + CREDITS_NOTED_MS, {
      accountId,
      tokenId,
      type: 'token.credits_exhausted',
      mark: `credits:${holder.holder}:${holder.holderId}@${period}`,
      data: { credits: { holder: holder.holder, holderId: holder.holderId, remaining: 0, refill: refill ?? null } },
    });
  }

  private add(key: string, untilMs: number, notice: Notice): void {
    if (this.noted.has(key) || this.pending.length >= MAX_PENDING) return;
    this.noted.set(key, untilMs);
    this.pending.push(notice);
  }

  start(ctx: ServiceContext, intervalMs: number): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.running !== undefined) return;
      this.running = this.flush(ctx)
        .then(() => undefined)
        .catch((error: unknown) => ctx.logger.warn({ err: error }, 'limit events not written'))
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
    for (const [key, untilMs] of this.noted) if (untilMs <= nowMs) this.noted.delete(key);
    const batch = this.pending;
    this.pending = [];
    let written = 0;
    for (const { accountId, tokenId, type, mark, data } of batch) {
      const told = await ctx.store.transaction(async (tx) => {
        const kind = type === 'token.rate_limited' ? 'rate_limited' : 'credits_exhausted';
        if (!(await tx.claimWebhookMark({ accountId, tokenId, kind, mark }))) return false;
        const token = await tx.getToken(accountId, tokenId);
        if (token === undefined) return false;
        await emitEvent(tx, accountId, type, { token: auditSnapshot(token, nowMs), ...data }, new Date(nowMs).toISOString());
        return true;
      });
      if (told) written += 1;
    }
    return written;
  }
}
