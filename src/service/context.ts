/** What every use case needs, passed in once by the composition root: store, clock, randomness, caches, logger. */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { TokenCache } from './verify/token-cache.js';
import type { UsageRecorder } from './usage/usage-recorder.js';
import type { AccountCache } from './account/account-cache.js';
import type { CatalogRegistry } from './catalog/catalog-registry.js';
import type { ChangeFeed } from '../store/change-feed.js';
import type { IdentityCache } from './identities/identity-cache.js';
import type { RateLimiter } from './limits/rate-limiter.js';
import type { LimitNotices } from './webhooks/limit-notices.js';
import type { CreditLedger } from './limits/credit-ledger.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export type RandomBytes = (n: number) => Uint8Array;

export interface ServiceContext {
  store: Store;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
  tokenCache: TokenCache;
  accountCache: AccountCache;
  catalogs: CatalogRegistry;
  usage: UsageRecorder;
  /** Identities read on the check path, and the in-memory rate-limit counters (issue 19, docs/limits.md). */
  identities: IdentityCache;
  rateLimiter: RateLimiter;
  /** Checks refused by limits or credits, noted in memory for webhook events written off the check path. */
  limitNotices: LimitNotices;
  /** Credit balances decided in memory, written in the background (docs/limits.md). */
  credits: CreditLedger;
  /** Changes made by other instances; its health decides whether cached tokens may be served. */
  changes: ChangeFeed;
  /** How long cached tokens may still be served once changes can no longer be heard (ms); 0 fails closed. */
  staleVerifyMs: number;
}

export function nowIso(ctx: Pick<ServiceContext, 'clock'>): string {
  return new Date(ctx.clock.now()).toISOString();
}
