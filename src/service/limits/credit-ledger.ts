/**
 * Credits decided in memory (issue 19): each instance holds the balances it checks, loaded once from the store and
 * spent locally; consumption is written in the background as deltas (about once a second), and every flush re-reads
 * the balances held, so instances converge on what all of them spent. With several instances, each may spend only
 * its share of a balance between two syncs (an eighth of what it saw left, with two), and one that has spent its
 * share syncs before deciding: a burst split across instances overspends by a few percent at most. Strict credits
 * skip all this: one atomic conditional update per check (docs/limits.md).
 */
import type { Logger } from 'pino';
import { creditsAt, type CreditsRecord } from '../../core/credits.js';
import type { AccountId } from '../../core/types.js';
import { creditKeyOf, type CreditDelta, type CreditKey } from '../../store/credit-store.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../context.js';
import { shareOf, type InstanceHeartbeat } from './instance-heartbeat.js';

/** A token or identity whose credits a check spends, with its credits as its record (cached) tells them. */
export interface CreditHolder {
  holder: 'token' | 'identity';
  holderId: string;
  credits: CreditsRecord;
}

/** `refusedBy`: on a refusal, the holder whose balance refused (the first, when several did). */
export type CreditDecision = { passed: boolean; remaining: number; refusedBy?: CreditHolder };

interface Balance {
  /** What is left in `periodMs` as this instance knows it: the stored balance minus what it spent since. */
  remaining: number;
  periodMs: number;
  refillAmount: number | null;
  usedAtMs: number;
  /** What this instance may still spend before it syncs (its share; unbounded when it is the only instance). */
  allowance: number;
  /** The unwritten delta of `periodMs`, while `pending` is the map it was put in (saves a key per check). */
  delta?: CreditDelta;
  deltaIn?: Map<string, CreditDelta>;
  /** False once dropped from `balances` (or replaced there by `null`): a holder that kept it looks its key up again. */
  held: boolean;
}

/** A balance unused this long is dropped at the next flush (reloaded at its next check). */
const IDLE_MS = 5 * 60_000;

export class CreditLedger {
  /** By credit key; `null`: the store has no credits for it (removed since the record was cached). */
  private readonly balances = new Map<string, Balance | null>();
  /** Consumption not yet written, by credit key and period. */
  private pending = new Map<string, CreditDelta>();
  private readonly keys = new Map<string, CreditKey>();
  private flushing: Promise<void> = Promise.resolve();
  /** A flush queued behind the running one and not started yet: later sync requests share it. */
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Checks that spent credits, by outcome, since start (Prometheus `tessera_credit_checks_total`). */
  readonly outcomes = { passed: 0, usage_exceeded: 0 };

  constructor(
    private readonly store: Pick<Store, 'readCredits' | 'applyCreditDeltas' | 'consumeCredits' | 'transaction'>,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly flushIntervalMs: number,
    /** Shared with the rate limiter: how many instances this one shares balances with. */
    private readonly heartbeat: InstanceHeartbeat,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Whether every in-memory holder's balance is loaded (a check can then be decided without a tick). */
  ready(accountId: AccountId, holders: readonly CreditHolder[]): boolean {
    for (const h of holders) if (!h.credits.strict && this.heldBalance(slotOf(accountId, h)) === undefined) return false;
    return true;
  }

  /** Reads the balances not in memory yet. */
  async load(accountId: AccountId, holders: readonly CreditHolder[]): Promise<void> {
    const missing = holders.filter((h) => !h.credits.strict && !this.balances.has(slotOf(accountId, h).id)).map((h) => ({ accountId, holder: h.holder, holderId: h.holderId }));
    if (missing.length === 0) return;
    const stored = await this.store.readCredits(missing);
    const nowMs = this.clock.now();
    for (const key of missing) {
      const id = creditKeyOf(key);
      // Loaded by a concurrent check meanwhile: that one has spent from it already.
      if (this.balances.has(id)) continue;
      const credits = stored.get(id);
      this.keys.set(id, key);
      this.balances.set(id, credits === undefined ? null : this.balanceOf(id, credits, nowMs));
    }
  }

  /**
   * Whether the in-memory holders have `cost` left (all of them; nothing spent yet). `ready` must be true. Strict
   * holders are not judged here.
   */
  canSpend(accountId: AccountId, holders: readonly CreditHolder[], cost: number, nowMs: number): CreditDecision & { needsSync: boolean } {
    let remaining = Number.POSITIVE_INFINITY;
    let passed = true;
    let needsSync = false;
    let refusedBy: CreditHolder | undefined;
    for (const h of holders) {
      if (h.credits.strict) continue;
      const balance = this.current(slotOf(accountId, h), h.credits, nowMs);
      if (balance === null) continue;
      if (balance.remaining < cost) {
        refusedBy ??= h;
        passed = false;
      }
      else if (balance.allowance < cost) needsSync = true;
      remaining = Math.min(remaining, balance.remaining);
    }
    return refusedBy ? { passed, remaining, needsSync: false, refusedBy } : { passed, remaining, needsSync };
  }

  /**
   * Writes what this instance spent and re-reads the balances it holds, after anything already under way: a check
   * that used up this instance's share waits for it (with several instances only, near a balance's end).
   */
  sync(): Promise<void> {
    this.queued ??= this.flushing.then(() => {
      this.queued = undefined;
      return this.flush();
    });
    return this.queued;
  }

  /** Spends `cost` from every in-memory holder (after `canSpend` and the rate limits passed). Returns the least left. */
  spend(accountId: AccountId, holders: readonly CreditHolder[], cost: number, nowMs: number): number {
    let remaining = Number.POSITIVE_INFINITY;
    for (const h of holders) {
      if (h.credits.strict) continue;
      const slot = slotOf(accountId, h);
      const balance = this.current(slot, h.credits, nowMs);
      if (balance === null) continue;
      this.take(slot, balance, cost, nowMs);
      remaining = Math.min(remaining, balance.remaining);
    }
    return remaining;
  }

  /**
   * For the common check (apply-limits.ts, issue 19 item 6): the balance a cost of 1 may be spent from, reached
   * through the slot that kept it. `undefined` when deciding takes more than that (strict credits, a balance not
   * held or in a new refill period, none left, several instances with this one's share spent): `canSpend` and
   * `spend` decide it then.
   */
  quickBalance(slot: CreditSlot, nowMs: number): QuickBalance | undefined {
    const balance = slot.balance;
    if (slot.strict || balance === undefined || !balance.held || slot.heldBy !== this || balance.remaining < 1) return undefined;
    if (slot.refills && periodOf(slot.credits, nowMs) !== balance.periodMs) return undefined;
    if (this.heartbeat.instances > 1 && balance.allowance < 1) return undefined;
    return balance;
  }

  /** Spends 1 from the balance `quickBalance` just gave for `slot`; what is left. */
  quickSpend(slot: CreditSlot, balance: QuickBalance, nowMs: number): number {
    this.take(slot, balance as Balance, 1, nowMs);
    return (balance as Balance).remaining;
  }

  private take(slot: HolderSlot, balance: Balance, cost: number, nowMs: number): void {
    balance.remaining -= cost;
    balance.allowance -= cost;
    balance.usedAtMs = nowMs;
    if (balance.deltaIn === this.pending && balance.delta !== undefined && balance.delta.periodMs === balance.periodMs) balance.delta.delta += cost;
    else {
      balance.delta = this.addPending({ key: this.keys.get(slot.id)!, periodMs: balance.periodMs, refillAmount: balance.refillAmount, delta: cost });
      balance.deltaIn = this.pending;
    }
  }

  /**
   * Strict holders: one atomic conditional update each (in one transaction when there are several, so all or
   * none spend). The least left, or a refusal with what the refusing holder had.
   */
  async spendStrict(accountId: AccountId, holders: readonly CreditHolder[], cost: number, nowMs: number): Promise<CreditDecision> {
    const strict = holders.filter((h) => h.credits.strict);
    if (strict.length === 0) return { passed: true, remaining: Number.POSITIVE_INFINITY };
    const spendOne = (ops: Pick<Store, 'consumeCredits'>, h: CreditHolder) =>
      ops.consumeCredits({ accountId, holder: h.holder, holderId: h.holderId }, cost, periodOf(h.credits, nowMs), h.credits.refill?.amount ?? null);
    if (strict.length === 1) {
      const outcome = await spendOne(this.store, strict[0]!);
      return 'refused' in outcome ? { passed: false, remaining: outcome.refused, refusedBy: strict[0]! } : { passed: true, remaining: outcome.remaining };
    }
    const refusal = new Error('refused');
    let refused = 0;
    let refusedBy: CreditHolder | undefined;
    try {
      return await this.store.transaction(async (tx) => {
        let remaining = Number.POSITIVE_INFINITY;
        for (const h of strict) {
          const outcome = await spendOne(tx, h);
          if ('refused' in outcome) {
            refused = outcome.refused;
            refusedBy = h;
            throw refusal;
          }
          remaining = Math.min(remaining, outcome.remaining);
        }
        return { passed: true as const, remaining };
      });
    } catch (error) {
      if (error === refusal) return { passed: false, remaining: refused, ...(refusedBy ? { refusedBy } : {}) };
      throw error;
    }
  }

  /** Drops a balance whose credits were set or changed (this instance's change or another's): reloaded at its next check. */
  invalidate(key: CreditKey): void {
    const id = creditKeyOf(key);
    this.release(this.balances.get(id));
    this.balances.delete(id);
  }

  clear(): void {
    for (const balance of this.balances.values()) this.release(balance);
    this.balances.clear();
  }

  /**
   * Writes the consumption not yet written, then re-reads every balance held: each becomes the stored one minus
   * what this instance spent since the write. Serialised; also what `stop` runs.
   */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow()).catch((error: unknown) => {
      this.logger.error({ err: error }, 'credits flush failed; will retry');
    });
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    // An instance unseen for three intervals is gone (stopped, crashed): its share goes back to the others.
    await this.heartbeat.beat(this.clock.now());
    const taken = [...this.pending.values()];
    this.pending = new Map();
    if (taken.length > 0) {
      taken.sort((a, b) => (creditKeyOf(a.key) < creditKeyOf(b.key) ? -1 : 1));
      const failed = await this.store.applyCreditDeltas(taken);
      if (failed.length > 0) this.logger.error({ holders: failed.length }, 'credits flush: some deltas were not written; will retry');
      for (const d of failed) this.addPending(d);
    }
    await this.converge();
  }

  private async converge(): Promise<void> {
    const nowMs = this.clock.now();
    const held: CreditKey[] = [];
    for (const [id, balance] of this.balances) {
      if (balance !== null && nowMs - balance.usedAtMs > IDLE_MS && !this.hasPending(id)) {
        this.release(balance);
        this.balances.delete(id);
      }
      else if (balance !== null) held.push(this.keys.get(id)!);
    }
    if (held.length === 0) return;
    const stored = await this.store.readCredits(held);
    const readAtMs = this.clock.now();
    for (const key of held) {
      const id = creditKeyOf(key);
      const balance = this.balances.get(id);
      // Dropped (its credits changed) while reading: its next check loads it afresh.
      if (balance === undefined || balance === null) continue;
      const credits = stored.get(id);
      if (credits === undefined) {
        this.release(balance);
        this.balances.set(id, null);
        continue;
      }
      // Updated in place (holders keep a reference to it); when it was last used stays as it was.
      const read = this.balanceOf(id, credits, readAtMs);
      balance.remaining = read.remaining;
      balance.periodMs = read.periodMs;
      balance.refillAmount = read.refillAmount;
      balance.allowance = read.allowance;
    }
  }

  /** A balance from the stored credits: refilled if due, less what this instance spent and has not written. */
  private balanceOf(id: string, credits: CreditsRecord, nowMs: number): Balance {
    const at = creditsAt(credits, nowMs);
    const remaining = at.remaining - this.pendingIn(id, at.periodMs);
    return { remaining, periodMs: at.periodMs, refillAmount: credits.refill?.amount ?? null, usedAtMs: nowMs, allowance: this.shareOf(remaining), held: true };
  }

  private shareOf(remaining: number): number {
    return shareOf(remaining, this.heartbeat.instances);
  }

  /** The balance now, refilled in memory when a new period has begun (every instance computes the same period). */
  private current(slot: HolderSlot, credits: CreditsRecord, nowMs: number): Balance | null {
    const balance = this.heldBalance(slot);
    if (balance === undefined || balance === null) return null;
    const { id } = slot;
    const periodMs = periodOf(credits, nowMs);
    if (credits.refill !== null && periodMs > balance.periodMs) {
      balance.remaining = credits.refill.amount - this.pendingIn(id, periodMs);
      balance.allowance = this.shareOf(balance.remaining);
      balance.periodMs = periodMs;
      balance.refillAmount = credits.refill.amount;
    }
    return balance;
  }

  /** The slot's balance when this ledger holds one: the one the slot kept if still held, else looked up (and kept). */
  private heldBalance(slot: HolderSlot): Balance | null | undefined {
    const kept = slot.balance;
    if (kept !== undefined && kept.held && slot.heldBy === this) return kept;
    const found = this.balances.get(slot.id);
    if (found !== undefined && found !== null) {
      slot.balance = found;
      slot.heldBy = this;
    }
    return found;
  }

  private release(balance: Balance | null | undefined): void {
    if (balance) balance.held = false;
  }

  private pendingIn(id: string, periodMs: number): number {
    return this.pending.get(`${id}\u0000${periodMs}`)?.delta ?? 0;
  }

  private hasPending(id: string): boolean {
    for (const key of this.pending.keys()) if (key.startsWith(`${id}\u0000`)) return true;
    return false;
  }

  private addPending(d: CreditDelta): CreditDelta {
    const pendingId = `${creditKeyOf(d.key)}\u0000${d.periodMs}`;
    const same = this.pending.get(pendingId);
    if (same !== undefined) {
      same.delta += d.delta;
      return same;
    }
    const delta = { ...d };
    this.pending.set(pendingId, delta);
    return delta;
  }
}

/**
 * A holder's key, and the balance last found for it with the ledger holding it: a check reaches its balance from its
 * cached chain instead of looking its key up (each lookup a likely cache miss in a busy server, issue 19 item 6).
 */
interface HolderSlot {
  accountId: AccountId;
  id: string;
  /** The holder's credits (fixed for the holder object), and what `quickBalance` asks of them, read from here. */
  credits: CreditsRecord;
  strict: boolean;
  refills: boolean;
  balance: Balance | undefined;
  heldBy: CreditLedger | undefined;
}

/** A holder's slot as `quickBalance` takes it: the one every check of the holder uses. */
export type CreditSlot = Readonly<HolderSlot>;
/** A balance `quickBalance` found, opaque outside the ledger. */
export type QuickBalance = { readonly remaining: number };

/** A holder's slot for `quickBalance` (made once per holder object, shared with every other check of it). */
export function creditSlotOf(accountId: AccountId, holder: CreditHolder): CreditSlot {
  return slotOf(accountId, holder);
}

/** Made once per holder object (apply-limits.ts keeps those per chain and identity). */
const slotsByHolder = new WeakMap<CreditHolder, HolderSlot>();

/** A holder's slot; made once per holder, not per check (a fresh key string is built and hashed at each lookup). */
function slotOf(accountId: AccountId, h: CreditHolder): HolderSlot {
  const known = slotsByHolder.get(h);
  if (known !== undefined && known.accountId === accountId) return known;
  const slot: HolderSlot = {
    accountId,
    id: creditKeyOf({ accountId, holder: h.holder, holderId: h.holderId }),
    credits: h.credits,
    strict: h.credits.strict,
    refills: h.credits.refill !== null,
    balance: undefined,
    heldBy: undefined,
  };
  slotsByHolder.set(h, slot);
  return slot;
}

/** The start of the refill period at `nowMs` (epoch ms), or `null` for credits without a refill. */
export function refillPeriodOf(credits: CreditsRecord, nowMs: number): number | null {
  return credits.refill ? periodOf(credits, nowMs) : null;
}

/** The refill period at `nowMs` (the stored one when there is no refill). */
function periodOf(credits: CreditsRecord, nowMs: number): number {
  return creditsAt(credits, nowMs).periodMs;
}
