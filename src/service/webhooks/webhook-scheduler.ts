/**
 * Time-based events and the dormant-token sweep: `token.expiring`, `token.expired`, `token.unused`, and disabling
 * dormant tokens. Each event fires once whatever the number of instances: it is written in the transaction that
 * records its mark (a unique row), and only the transaction that inserted the mark emits.
 */
import { TesseraError } from '../../core/errors.js';
import type { AccountRecord, TokenRecord } from '../../core/types.js';
import { requireManagerRemains } from '../account/account-guard.js';
import type { ServiceContext } from '../context.js';
import { auditSnapshot } from '../tokens/token-view.js';
import { emitEvent } from './emit-event.js';

const DAY_MS = 86_400_000;

export interface WebhookSchedulerOptions {
  /** How often the sweep runs (ms). */
  intervalMs: number;
  /** `token.expiring` fires this long before a token expires (ms); `TESSERA_WEBHOOK_EXPIRING_BEFORE`. */
  expiringBeforeMs: number;
  /** `token.expired` fires only for tokens expired less than this long ago (a first start does not replay years). */
  expiredLookbackMs: number;
  /** Tokens handled per kind per sweep; the rest wait for the next one. */
  batch: number;
  /** Delivered and failed deliveries (and their events) are kept this long, then swept (ms). */
  historyRetentionMs: number;
}

export const defaultWebhookSchedulerOptions = {
  intervalMs: 60_000,
  expiringBeforeMs: 7 * DAY_MS,
  expiredLookbackMs: 30 * DAY_MS,
  batch: 500,
  historyRetentionMs: 30 * DAY_MS,
} as const satisfies WebhookSchedulerOptions;

export class WebhookScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly options: WebhookSchedulerOptions,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.running !== undefined) return;
      this.running = this.sweep()
        .then(() => undefined)
        .catch((error: unknown) => this.ctx.logger.warn({ err: error }, 'webhook schedule sweep failed'))
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One sweep of every kind; the number of events written and tokens disabled. */
  async sweep(): Promise<number> {
    const nowMs = this.ctx.clock.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    let done = 0;
    const { store } = this.ctx;
    const { batch } = this.options;
    for (const token of await store.listScheduledTokens({ kind: 'expiring', from: iso(nowMs), until: iso(nowMs + this.options.expiringBeforeMs), limit: batch })) {
      if (await this.markAndEmit(token, 'expiring', token.expiresAt ?? '', { expiresAt: token.expiresAt }, nowMs)) done += 1;
    }
    for (const token of await store.listScheduledTokens({ kind: 'expired', from: iso(nowMs - this.options.expiredLookbackMs), until: iso(nowMs), limit: batch })) {
      if (await this.markAndEmit(token, 'expired', token.expiresAt ?? '', { expiresAt: token.expiresAt }, nowMs)) done += 1;
    }
    for (const account of await store.listAccounts()) done += await this.sweepDormant(account, nowMs);
    await store.deleteWebhookHistoryBefore(iso(nowMs - this.options.historyRetentionMs));
    return done;
  }

  private async sweepDormant(account: AccountRecord, nowMs: number): Promise<number> {
    const policy = account.policy.dormantTokens;
    if (policy === null) return 0;
    const iso = (ms: number) => new Date(ms).toISOString();
    const { store } = this.ctx;
    let done = 0;
    const warnAt = nowMs - (policy.disableAfterDays - policy.warnBeforeDays) * DAY_MS;
    for (const token of await store.listScheduledTokens({ kind: 'unused', accountId: account.id, until: iso(warnAt), liveAt: iso(nowMs), limit: this.options.batch })) {
      const idleSince = token.lastUsedAt ?? token.createdAt;
      const disableAt = iso(Date.parse(idleSince) + policy.disableAfterDays * DAY_MS);
      if (await this.markAndEmit(token, 'unused', idleSince, { lastUsedAt: token.lastUsedAt, disableAt }, nowMs)) done += 1;
    }
    const disableBefore = iso(nowMs - policy.disableAfterDays * DAY_MS);
    for (const token of await store.listScheduledTokens({ kind: 'idle', accountId: account.id, until: disableBefore, liveAt: iso(nowMs), limit: this.options.batch })) {
      if (await this.disableDormant(token, disableBefore, nowMs)) done += 1;
    }
    return done;
  }

  /** Records the mark and writes the event in one transaction; false when another sweep (or instance) already did. */
  private async markAndEmit(token: TokenRecord, kind: 'expiring' | 'expired' | 'unused', mark: string, extra: Record<string, unknown>, nowMs: number): Promise<boolean> {
    const at = new Date(nowMs).toISOString();
    return this.ctx.store.transaction(async (tx) => {
      if (!(await tx.claimWebhookMark({ accountId: token.accountId, tokenId: token.id, kind, mark }))) return false;
      await emitEvent(tx, token.accountId, `token.${kind}`, { token: auditSnapshot(token, nowMs), ...extra }, at);
      return true;
    });
  }

  /**
   * Disables a token still idle since before `disableBefore`, audited with no actor (the system) and told as
   * `token.disabled` with reason `dormant`. Read again under the transaction's lock: a use or a change in between,
   * or another instance's sweep, leaves it alone. Never the account's last manager (the lock-out rule holds).
   */
  private async disableDormant(found: TokenRecord, disableBefore: string, nowMs: number): Promise<boolean> {
    const now = new Date(nowMs).toISOString();
    try {
      return await this.ctx.store.transaction(async (tx) => {
        const token = await tx.getToken(found.accountId, found.id);
        if (token === undefined || token.revokedAt !== null || !token.enabled) return false;
        if ((token.lastUsedAt ?? token.createdAt) > disableBefore) return false;
        const descendants = await tx.listDescendants(token.accountId, token.id);
        await requireManagerRemains(tx, token.accountId, [token, ...descendants].filter((t) => t.revokedAt === null), nowMs, `disabling dormant token ${token.id}`);
        const next: TokenRecord = { ...token, enabled: false, updatedAt: now, version: token.version + 1 };
        await tx.updateToken(next);
        const after = { ...auditSnapshot(next, nowMs), reason: 'dormant' };
        await tx.appendAudit({ accountId: token.accountId, actor: null, action: 'token.disable', targetType: 'token', targetId: token.id, before: auditSnapshot(token, nowMs), after, at: now });
        await emitEvent(tx, token.accountId, 'token.disabled', { token: auditSnapshot(next, nowMs), actor: null, reason: 'dormant' }, now);
        return true;
      });
    } catch (error) {
      if (error instanceof TesseraError && error.code === 'CONFLICT') {
        this.ctx.logger.warn({ tokenId: found.id, accountId: found.accountId }, 'dormant token kept: it is the account’s last manager');
        return false;
      }
      throw error;
    }
  }
}
