/**
 * Rate limits decided in memory (issue 19): a sliding-window counter per (holder, limit name), never a database
 * write on the check path. With a store, each window is read once at its first use, what this instance counted is
 * written in the background as deltas (about once a second), and every flush re-reads the windows held, so a restart
 * remembers them and instances converge on what all of them counted; with several instances, each counts only its
 * share of what is left between two syncs, as credits do. See docs/limits.md for the window and what it promises.
 */
import type { Logger } from 'pino';
import type { AccountId } from '../../core/types.js';
import type { RateLimitRule } from '../../core/usage-limits.js';
import { rateLimitWindowKeyOf, type RateLimitDelta, type RateLimitWindowKey } from '../../store/rate-limit-store.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../context.js';
import { shareOf, type InstanceHeartbeat } from './instance-heartbeat.js';

/** One limit's state after a check, as verify answers and the `RateLimit` headers tell it. */
export interface LimitState {
  name: string;
  /** Whose limit: the token's own (or an ancestor's), or the identity's, shared by all its tokens. */
  holder: 'token' | 'identity';
  holderId: string;
  limit: number;
  remaining: number;
  /** When the current window ends (epoch ms), and how long after the check that is. */
  resetAtMs: number;
  resetInMs: number;
  /** Window length, ms. */
  durationMs: number;
  /** This limit refused the check (its remaining units were fewer than the cost). */
  exceeded: boolean;
  /** The same object at every check of this limit of this holder: see `LimitSlot`. */
  slot: LimitSlot;
}

/**
 * Where the verify answer's writer keeps this limit's text between checks (verify-route.ts): a property read rather
 * than a lookup. Opaque here, and left out of a state written as JSON (it is the writer's, not the state's).
 */
export class LimitSlot {
  text: unknown = undefined;

  toJSON(): undefined {
    return undefined;
  }
}

export interface LimitHolder {
  holder: 'token' | 'identity';
  holderId: string;
  limits: readonly RateLimitRule[];
}

export type LimitDecision = { passed: boolean; states: LimitState[] };

/** Where the windows are kept beyond the process (`tessera serve`, and every service built by `createTessera`). */
export interface RateLimitPersistence {
  store: Pick<Store, 'addRateLimitCounts' | 'readRateLimitCounts' | 'sweepRateLimitWindows'>;
  logger: Logger;
  clock: Clock;
  flushIntervalMs: number;
  /** Shared with the credits: how many instances this one shares windows with. */
  heartbeat: InstanceHeartbeat;
}

interface Window {
  /** The window's key without its start. */
  base: Omit<RateLimitWindowKey, 'startMs'>;
  /** Start of the current fixed window (epoch ms, a multiple of the duration). */
  startMs: number;
  /** Counted in the current and the previous window, by every instance as this one knows it. */
  current: number;
  previous: number;
  durationMs: number;
  /** The limit at the last check, and what this instance may still count before it syncs (its share). */
  limit: number;
  allowance: number;
  usedAtMs: number;
  /** The unwritten delta of the current window, while `pending` is the map it was put in (saves a key per check). */
  delta?: RateLimitDelta;
  deltaIn?: Map<string, RateLimitDelta>;
  /** The start of the window `delta` counts (its key's, kept here: one object fewer to read per check). */
  deltaStartMs?: number;
  /** False once dropped from `windows`: a pick that kept it looks its id up again. */
  held: boolean;
}

/**
 * One limit of one holder, as a check counts it. The holder's and the rule's fields are copied in (both are fixed for
 * the cached record they come from): a check then reads one object per limit, not three (issue 19 item 6). It is its
 * states' slot too (one object fewer still), and so, like any slot, never written as JSON.
 */
class Picked extends LimitSlot {
  /**
   * The window last found for this pick, and the limiter that holds it: a check reaches its window from its cached
   * chain instead of looking its id up (each lookup a likely cache miss in a busy server, issue 19 item 6).
   */
  window: Window | undefined = undefined;
  heldBy: RateLimiter | undefined = undefined;

  constructor(
    readonly id: string,
    readonly holder: LimitHolder['holder'],
    readonly holderId: string,
    readonly name: string,
    readonly limit: number,
    readonly durationMs: number,
  ) {
    super();
  }
}

/** Counters are swept of windows idle for two durations after this many checks: memory stays bounded by live holders. */
const SWEEP_EVERY = 50_000;
/** A window unused this long is dropped at the next flush (re-read at its next check). */
const IDLE_MS = 5 * 60_000;
/** How often the store is swept of ended windows. */
const STORE_SWEEP_MS = 60_000;

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  /** Counted and not yet written, by window key with its start. */
  private pending = new Map<string, RateLimitDelta>();
  private checks = 0;
  private flushing: Promise<void> = Promise.resolve();
  /** A flush queued behind the running one and not started yet: later sync requests share it. */
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sweptAtMs = Number.NEGATIVE_INFINITY;
  /** Counts written since the last sweep: a server that writes none (no limits in use) sweeps nothing, so it writes nothing. */
  private wroteSinceSweep = false;
  /** Checks that consumed limits, by outcome, since start (Prometheus `tessera_limit_checks_total`). */
  readonly outcomes = { passed: 0, rate_limited: 0 };

  /** Without `persisted`, the windows live and die with the process (unit tests). */
  constructor(private readonly persisted?: RateLimitPersistence) {}

  start(): void {
    if (this.timer || !this.persisted) return;
    this.timer = setInterval(() => void this.flush(), this.persisted.flushIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Whether every window the check counts is held (it can then be decided without a tick). */
  ready(accountId: AccountId, holders: readonly LimitHolder[], names: readonly string[] | undefined): boolean {
    if (!this.persisted) return true;
    for (const p of picked(accountId, holders, names)) if (this.heldWindow(p) === undefined) return false;
    return true;
  }

  /**
   * Reads the windows not held yet (current and previous, as every instance counted them). When the store cannot
   * answer, they start from what this instance knows: an outage does not refuse checks that memory can decide.
   */
  async load(accountId: AccountId, holders: readonly LimitHolder[], names: readonly string[] | undefined, nowMs: number): Promise<void> {
    if (!this.persisted) return;
    const missing = picked(accountId, holders, names).filter((p) => !this.windows.has(p.id));
    if (missing.length === 0) return;
    const keys: RateLimitWindowKey[] = [];
    for (const p of missing) {
      const startMs = startOf(nowMs, p.durationMs);
      keys.push({ ...baseOf(accountId, p), startMs }, { ...baseOf(accountId, p), startMs: startMs - p.durationMs });
    }
    let stored = new Map<string, number>();
    try {
      stored = await this.persisted.store.readRateLimitCounts(keys);
    } catch (error) {
      this.persisted.logger.error({ err: error }, 'rate limits: windows could not be read; counting from this instance’s knowledge');
    }
    for (const p of missing) {
      // Loaded by a concurrent check meanwhile: that one has counted in it already.
      if (this.windows.has(p.id)) continue;
      const base = baseOf(accountId, p);
      const startMs = startOf(nowMs, p.durationMs);
      const window: Window = { base, startMs, current: 0, previous: 0, durationMs: p.durationMs, limit: p.limit, allowance: 0, usedAtMs: nowMs, held: true };
      this.settle(window, stored, nowMs);
      this.windows.set(p.id, window);
    }
  }

  /**
   * Whether this instance has used its share of a window the check would pass (several instances only): the check
   * should then be decided after a sync, once. A check that would be refused needs none.
   */
  needsSync(accountId: AccountId, holders: readonly LimitHolder[], names: readonly string[] | undefined, cost: number, nowMs: number): boolean {
    if (!this.persisted || this.persisted.heartbeat.instances <= 1) return false;
    let short = false;
    for (const p of picked(accountId, holders, names)) {
      const window = this.windowAt(p, accountId, nowMs);
      if (weightedCount(window, nowMs) + cost > p.limit) return false;
      if (window.allowance < cost) short = true;
    }
    return short;
  }

  /**
   * Counts `cost` against every limit of `holders` named in `names` (all of them when `names` is undefined), all or
   * nothing: a refused check consumes nothing, so a client refused by one limit does not drain the others.
   */
  check(accountId: AccountId, holders: readonly LimitHolder[], names: readonly string[] | undefined, cost: number, nowMs: number): LimitDecision {
    if (++this.checks % SWEEP_EVERY === 0) this.sweep(nowMs);
    // The states are made as the windows are read (as a refusal tells them), then counted in when every limit passed.
    const picks = picked(accountId, holders, names);
    // Sized once (a pushed-to empty array starts with room for 17): a check allocates what it returns and no more.
    const windows = new Array<Window>(picks.length);
    const states = new Array<LimitState>(picks.length);
    let passed = true;
    for (let i = 0; i < picks.length; i++) {
      const p = picks[i]!;
      const window = this.windowAt(p, accountId, nowMs);
      const state = limitState(p, window, weightedCount(window, nowMs), cost, nowMs);
      if (state.exceeded) passed = false;
      windows[i] = window;
      states[i] = state;
    }
    if (!passed) {
      this.outcomes.rate_limited += 1;
      return { passed, states };
    }
    this.outcomes.passed += 1;
    for (let i = 0; i < windows.length; i++) {
      this.count(windows[i]!, cost, nowMs);
      // Passed: `cost` fit in what was left, so nothing to clamp.
      states[i]!.remaining -= cost;
    }
    return { passed, states };
  }

  /**
   * The common check decided in a few steps (issue 19 item 6): a cost of 1 against every limit of one holder, reached
   * through the windows its limits kept, none looked up. The states after counting it; or `undefined`, having counted
   * nothing, when deciding takes more than that (a window not held or in a new period, several instances, a limit
   * the check would exceed): `check` decides it then, as it decides every other check.
   */
  quickCheck(limits: HolderLimits, nowMs: number): LimitState[] | undefined {
    if (this.persisted !== undefined && this.persisted.heartbeat.instances > 1) return undefined;
    for (const p of limits) {
      const window = p.window;
      if (window === undefined || !window.held || p.heldBy !== this || window.startMs !== startOf(nowMs, window.durationMs)) return undefined;
      if (weightedCount(window, nowMs) + 1 > p.limit) return undefined;
    }
    if (++this.checks % SWEEP_EVERY === 0) this.sweep(nowMs);
    this.outcomes.passed += 1;
    const states = new Array<LimitState>(limits.length);
    for (let i = 0; i < limits.length; i++) {
      const p = limits[i]!;
      const window = p.window!;
      window.limit = p.limit;
      const state = limitState(p, window, weightedCount(window, nowMs), 1, nowMs);
      this.count(window, 1, nowMs);
      state.remaining -= 1;
      states[i] = state;
    }
    return states;
  }

  /**
   * Writes what this instance counted and re-reads the windows it holds, after anything already under way: a check
   * that used up this instance's share waits for it (with several instances only, near a limit).
   */
  sync(): Promise<void> {
    this.queued ??= this.flushing.then(() => {
      this.queued = undefined;
      return this.flush();
    });
    return this.queued;
  }

  /** Writes the counts not yet written, then re-reads every window held. Serialised; also what `stop` runs. */
  flush(): Promise<void> {
    const persisted = this.persisted;
    if (!persisted) return Promise.resolve();
    this.flushing = this.flushing.then(() => this.flushNow(persisted)).catch((error: unknown) => {
      persisted.logger.error({ err: error }, 'rate limits flush failed; will retry');
    });
    return this.flushing;
  }

  private async flushNow({ store, clock, heartbeat, logger }: RateLimitPersistence): Promise<void> {
    await heartbeat.beat(clock.now());
    const taken = [...this.pending.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, d]) => d);
    this.pending = new Map();
    if (taken.length > 0) {
      this.wroteSinceSweep = true;
      const failed = await store.addRateLimitCounts(taken);
      if (failed.length > 0) logger.error({ windows: failed.length }, 'rate limits flush: some counts were not written; will retry');
      for (const d of failed) this.addPending(d.key, d.count);
    }
    await this.converge(store, clock);
    const nowMs = clock.now();
    if (this.wroteSinceSweep && nowMs - this.sweptAtMs >= STORE_SWEEP_MS) {
      this.sweptAtMs = nowMs;
      this.wroteSinceSweep = false;
      await store.sweepRateLimitWindows(nowMs);
    }
  }

  /** Each window held becomes the stored counts (every instance's) plus what this instance counted since the write. */
  private async converge(store: RateLimitPersistence['store'], clock: Clock): Promise<void> {
    const nowMs = clock.now();
    const held: { id: string; window: Window; startMs: number }[] = [];
    const keys: RateLimitWindowKey[] = [];
    for (const [id, window] of this.windows) {
      if (nowMs - window.usedAtMs > IDLE_MS || nowMs - window.startMs >= 2 * window.durationMs) {
        this.drop(id, window);
        continue;
      }
      held.push({ id, window, startMs: window.startMs });
      keys.push({ ...window.base, startMs: window.startMs }, { ...window.base, startMs: window.startMs - window.durationMs });
    }
    if (held.length === 0) return;
    const stored = await store.readRateLimitCounts(keys);
    const readAtMs = clock.now();
    for (const { id, window, startMs } of held) {
      // Dropped, or moved on to a new window while reading: the next flush reads it afresh.
      if (this.windows.get(id) !== window || window.startMs !== startMs) continue;
      this.settle(window, stored, readAtMs);
    }
  }

  /** Sets a window's counts from the stored ones plus this instance's unwritten ones, and its share from there. */
  private settle(window: Window, stored: Map<string, number>, nowMs: number): void {
    const at = (startMs: number) => {
      const key = { ...window.base, startMs };
      const id = rateLimitWindowKeyOf(key);
      return (stored.get(id) ?? 0) + (this.pending.get(id)?.count ?? 0);
    };
    window.current = at(window.startMs);
    window.previous = at(window.startMs - window.durationMs);
    window.allowance = this.share(window.limit - weightedCount(window, nowMs));
  }

  private count(window: Window, cost: number, nowMs: number): void {
    window.current += cost;
    window.allowance -= cost;
    window.usedAtMs = nowMs;
    if (!this.persisted) return;
    if (window.deltaIn === this.pending && window.delta !== undefined && window.deltaStartMs === window.startMs) window.delta.count += cost;
    else {
      window.delta = this.addPending({ ...window.base, startMs: window.startMs }, cost);
      window.deltaIn = this.pending;
      window.deltaStartMs = window.startMs;
    }
  }

  private addPending(key: RateLimitWindowKey, count: number): RateLimitDelta {
    const id = rateLimitWindowKeyOf(key);
    const same = this.pending.get(id);
    if (same !== undefined) {
      same.count += count;
      return same;
    }
    const delta = { key, count };
    this.pending.set(id, delta);
    return delta;
  }

  private share(left: number): number {
    return this.persisted ? shareOf(left, this.persisted.heartbeat.instances) : Number.POSITIVE_INFINITY;
  }

  private windowAt(p: Picked, accountId: AccountId, nowMs: number): Window {
    const { durationMs, limit } = p;
    const startMs = startOf(nowMs, durationMs);
    let window = this.heldWindow(p);
    if (window === undefined) {
      window = { base: baseOf(accountId, p), startMs, current: 0, previous: 0, durationMs, limit, allowance: this.share(limit), usedAtMs: nowMs, held: true };
      this.windows.set(p.id, window);
      p.window = window;
      p.heldBy = this;
    } else if (window.startMs !== startMs) {
      window.previous = startMs - window.startMs === durationMs ? window.current : 0;
      window.current = this.pending.get(rateLimitWindowKeyOf({ ...window.base, startMs }))?.count ?? 0;
      window.startMs = startMs;
      window.limit = limit;
      window.allowance = this.share(limit - weightedCount(window, nowMs));
    }
    window.limit = limit;
    return window;
  }

  /**
   * What a check of `holders` would find now, counting nothing (the limits API): the windows are read first where
   * they are not held, and with several instances re-read after this one's counts are written.
   */
  async state(accountId: AccountId, holders: readonly LimitHolder[], nowMs: number): Promise<LimitState[]> {
    await this.load(accountId, holders, undefined, nowMs);
    if (this.persisted && this.persisted.heartbeat.instances > 1) await this.sync();
    // `exceeded`: whether a check of cost 1 would be refused now.
    return picked(accountId, holders, undefined).map((p) => {
      const window = this.windowAt(p, accountId, nowMs);
      return limitState(p, window, weightedCount(window, nowMs), 1, nowMs);
    });
  }

  private sweep(nowMs: number): void {
    for (const [id, window] of this.windows) if (nowMs - window.startMs >= 2 * window.durationMs) this.drop(id, window);
  }

  /** The pick's window when this limiter holds it: the one the pick kept if still held, else looked up (and kept). */
  private heldWindow(p: Picked): Window | undefined {
    const kept = p.window;
    if (kept !== undefined && kept.held && p.heldBy === this) return kept;
    const found = this.windows.get(p.id);
    if (found !== undefined) {
      p.window = found;
      p.heldBy = this;
    }
    return found;
  }

  private drop(id: string, window: Window): void {
    this.windows.delete(id);
    window.held = false;
  }
}

/** One holder's limits, each with its window's id and the window it last found (`limitsOf`; `quickCheck`). */
export type HolderLimits = readonly Picked[];

/** A holder's limits as `quickCheck` takes them: the same objects every check of the holder uses (made once). */
export function limitsOf(accountId: AccountId, holder: LimitHolder): HolderLimits {
  return picksOf(accountId, holder);
}

/** Each holder's limits with their windows' ids, made once per holder object (apply-limits.ts keeps those per chain). */
const picksByHolder = new WeakMap<LimitHolder, { accountId: AccountId; picks: readonly Picked[] }>();

/**
 * The limits a check counts: every limit of `holders` named in `names` (all when undefined), with its window's id.
 * The ids are made once per holder, not per check: building and hashing a fresh key string for every window a check
 * looks up cost more than the rest of the check (issue 19 item 6, bench/README.md).
 */
function picked(accountId: AccountId, holders: readonly LimitHolder[], names: readonly string[] | undefined): readonly Picked[] {
  if (holders.length === 1 && names === undefined) return picksOf(accountId, holders[0]!);
  const found: Picked[] = [];
  for (const holder of holders) {
    for (const p of picksOf(accountId, holder)) if (names === undefined || names.includes(p.name)) found.push(p);
  }
  return found;
}

function picksOf(accountId: AccountId, holder: LimitHolder): readonly Picked[] {
  const known = picksByHolder.get(holder);
  if (known !== undefined && known.accountId === accountId) return known.picks;
  const picks = holder.limits.map((rule) => new Picked(
    `${accountId}\u0000${holder.holder}\u0000${holder.holderId}\u0000${rule.name}\u0000${rule.durationMs}`,
    holder.holder,
    holder.holderId,
    rule.name,
    rule.limit,
    rule.durationMs,
  ));
  picksByHolder.set(holder, { accountId, picks });
  return picks;
}

/** A limit's state before a check of `cost` is counted in: `used` of its window as the sliding estimate has it. */
function limitState(p: Picked, window: Window, used: number, cost: number, nowMs: number): LimitState {
  return {
    name: p.name,
    holder: p.holder,
    holderId: p.holderId,
    limit: p.limit,
    remaining: Math.max(0, p.limit - used),
    resetAtMs: window.startMs + p.durationMs,
    resetInMs: window.startMs + p.durationMs - nowMs,
    durationMs: p.durationMs,
    exceeded: used + cost > p.limit,
    slot: p,
  };
}

function baseOf(accountId: AccountId, p: Picked): Window['base'] {
  return { accountId, holder: p.holder, holderId: p.holderId, name: p.name, durationMs: p.durationMs };
}

/** Windows are aligned to the epoch (a per-minute window starts at :00). */
function startOf(nowMs: number, durationMs: number): number {
  return nowMs - (nowMs % durationMs);
}

/**
 * The sliding-window estimate (as Cloudflare and Unkey count): the previous window's count weighted by how much of it
 * still lies within one duration of now, plus the current window's. Smooths the doubled burst a fixed window allows
 * at its edge.
 */
function weightedCount(window: Pick<Window, 'startMs' | 'durationMs' | 'previous' | 'current'>, nowMs: number): number {
  const elapsed = (nowMs - window.startMs) / window.durationMs;
  return Math.floor(window.previous * (1 - elapsed)) + window.current;
}
