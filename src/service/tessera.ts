/** The service's composition: one object holding the context, exposing every use case. Adapters call only this. */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { Scope } from '../core/types.js';
import type { Store } from '../store/store.js';
import { AccountCache } from './account-cache.js';
import { CatalogRegistry } from './account-catalog.js';
import {
  applyCatalog,
  explainDecision,
  getCatalog,
  getCatalogTree,
  listCatalogVersions,
  tokenCapabilities,
  validateCatalog,
} from './catalog-service.js';
import { getAccount, updateAccountPolicy } from './account-service.js';
import type { Actor } from './actor.js';
import { listAudit, verifyAudit } from './audit-service.js';
import { AuthThrottle, defaultAuthThrottleOptions, type AuthThrottleOptions } from './auth-throttle.js';
import { authenticate, type PresentedCredential } from './authenticate.js';
import { bootstrap, initialise } from './bootstrap.js';
import { systemClock, type Clock, type RandomBytes, type ServiceContext } from './context.js';
import { createToken } from './create-token.js';
import { deleteTokens } from './delete-tokens.js';
import { getToken, listTokens } from './read-tokens.js';
import { revokeToken } from './revoke-token.js';
import { rotateToken } from './rotate-token.js';
import { TokenCache, type TokenCacheOptions } from './token-cache.js';
import { setTokenEnabled, updateToken } from './update-token.js';
import { UsageRecorder } from './usage-recorder.js';
import { verifyToken, type VerifyInput } from './verify-token.js';

export interface TesseraOptions {
  store: Store;
  clock?: Clock;
  randomBytes?: RandomBytes;
  logger?: Logger;
  cache?: Partial<TokenCacheOptions>;
  usageFlushIntervalMs?: number;
  authThrottle?: AuthThrottleOptions;
}

export type Tessera = ReturnType<typeof createTessera>;

export function createTessera(options: TesseraOptions) {
  const logger = options.logger ?? pino({ level: 'silent' });
  const ctx: ServiceContext = {
    store: options.store,
    clock: options.clock ?? systemClock,
    randomBytes: options.randomBytes ?? ((n) => cryptoRandomBytes(n)),
    logger,
    tokenCache: new TokenCache(options.cache),
    accountCache: new AccountCache(options.store),
    catalogs: new CatalogRegistry(options.store),
    usage: new UsageRecorder(options.store, logger, { flushIntervalMs: options.usageFlushIntervalMs ?? 1000 }),
  };
  const throttle = new AuthThrottle(options.authThrottle ?? defaultAuthThrottleOptions);

  return {
    ctx,
    /** Starts background work (usage batches). */
    start: () => ctx.usage.start(),
    /** Flushes pending usage and closes the store. */
    close: async () => {
      await ctx.usage.stop();
      await ctx.store.close();
    },
    bootstrap: () => bootstrap(ctx),
    initialise: () => initialise(ctx),
    authenticate: (credential: PresentedCredential | undefined, ip: string) =>
      authenticate(ctx, throttle, credential, ip),
    verify: (input: VerifyInput) => verifyToken(ctx, input),
    getAccount: (actor: Actor) => getAccount(ctx, actor),
    updateAccountPolicy: (actor: Actor, patch: Parameters<typeof updateAccountPolicy>[2]) =>
      updateAccountPolicy(ctx, actor, patch),
    createToken: (actor: Actor, input: Parameters<typeof createToken>[2]) => createToken(ctx, actor, input),
    listTokens: (actor: Actor, input: Parameters<typeof listTokens>[2]) => listTokens(ctx, actor, input),
    getToken: (actor: Actor, id: string) => getToken(ctx, actor, id),
    updateToken: (actor: Actor, id: string, input: Parameters<typeof updateToken>[3]) =>
      updateToken(ctx, actor, id, input),
    setTokenEnabled: (actor: Actor, id: string, enabled: boolean) => setTokenEnabled(ctx, actor, id, enabled),
    revokeToken: (actor: Actor, id: string) => revokeToken(ctx, actor, id),
    rotateToken: (actor: Actor, id: string, opts?: { overlapSeconds?: number }) => rotateToken(ctx, actor, id, opts),
    deleteTokens: (actor: Actor, ids: readonly string[]) => deleteTokens(ctx, actor, ids),
    listAudit: (actor: Actor, input: Parameters<typeof listAudit>[2]) => listAudit(ctx, actor, input),
    verifyAudit: (actor: Actor) => verifyAudit(ctx, actor),
    getCatalog: (actor: Actor, version?: number) => getCatalog(ctx, actor, version),
    validateCatalog: (actor: Actor, input: Parameters<typeof validateCatalog>[2]) => validateCatalog(ctx, actor, input),
    applyCatalog: (actor: Actor, input: Parameters<typeof applyCatalog>[2]) => applyCatalog(ctx, actor, input),
    listCatalogVersions: (actor: Actor, input: Parameters<typeof listCatalogVersions>[2]) =>
      listCatalogVersions(ctx, actor, input),
    getCatalogTree: (actor: Actor, selection: Parameters<typeof getCatalogTree>[2]) => getCatalogTree(ctx, actor, selection),
    explain: (actor: Actor, subject: Parameters<typeof explainDecision>[2], check: Parameters<typeof explainDecision>[3]) =>
      explainDecision(ctx, actor, subject, check),
    tokenCapabilities: (actor: Actor, id: string) => tokenCapabilities(ctx, actor, id),
  };
}

export type { Actor, Scope };
