/** The service's composition: one object holding the context, exposing every use case. Adapters call only this. */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { Scope } from '../core/types.js';
import type { Store } from '../store/store.js';
import { AccountCache } from './account/account-cache.js';
import { CatalogRegistry } from './catalog/catalog-registry.js';
import { applyCatalog, validateCatalog } from './catalog/apply-catalog.js';
import { explainDecision } from './catalog/explain-decision.js';
import { getCatalog, getCatalogTree, listCatalogVersions } from './catalog/read-catalog.js';
import { tokenCapabilities } from './catalog/token-capabilities.js';
import { getAccount } from './account/get-account.js';
import { updateAccountPolicy } from './account/update-account-policy.js';
import { describeCaller } from './tokens/describe-caller.js';
import type { Actor } from './actor.js';
import { listAudit } from './audit/list-audit.js';
import { verifyAudit } from './audit/verify-audit.js';
import { AuthThrottle, defaultAuthThrottleOptions, type AuthThrottleOptions } from './verify/auth-throttle.js';
import { authenticate, type PresentedCredential } from './verify/authenticate.js';
import { bootstrap, initialise } from './account/bootstrap.js';
import { systemClock, type Clock, type RandomBytes, type ServiceContext } from './context.js';
import { createToken } from './tokens/create-token.js';
import { deleteTokens } from './tokens/delete-tokens.js';
import { getEndpointAuth, listEndpoints, regeneratePrimary, setEndpointAuth } from './integrations/endpoint-auth.js';
import {
  createEndpointToken,
  getEndpointToken,
  listEndpointTokens,
  listTokensOfEndpoint,
  setAssignments,
  setEndpointTokenEnabled,
} from './integrations/endpoint-tokens.js';
import { getToken, listTokens } from './tokens/read-tokens.js';
import { revokeToken } from './tokens/revoke-token.js';
import { rotateToken } from './tokens/rotate-token.js';
import { TokenCache, type TokenCacheOptions } from './verify/token-cache.js';
import { setTokenEnabled, updateToken } from './tokens/update-token.js';
import { authorizeRequest, type AuthorizeInput } from './verify/authorize-request.js';
import { introspectToken } from './oauth/introspect-token.js';
import { revokePresentedToken } from './oauth/revoke-presented-token.js';
import { issueToken, type IssueTokenInput } from './oauth/issue-token.js';
import { IssuedTokenVerifier } from './verify/issued-token-verifier.js';
import { rotateSigningKey } from './keys/rotate-signing-key.js';
import { SigningKeys, type SigningAlg } from './keys/signing-keys.js';
import { verifyPresented } from './verify/verify-presented.js';
import { mayRequireVerifier, requireVerifier } from './verify/require-verifier.js';
import { UsageRecorder, type UsageRecorderOptions } from './usage/usage-recorder.js';
import { followStoreChanges, listenForChanges } from './invalidation/listen-for-changes.js';
import { createLocalChangeFeed, type ChangeFeed } from '../store/change-feed.js';
import { listUsage, listUsageEvents } from './usage/list-usage.js';
import type { VerifyInput, VerifyResult } from './verify/check-token.js';
import { checkLeaks } from './leaks/check-leaks.js';
import { NO_LEAK_REPORT_KEYS, signedReporter, type LeakReportKeys } from './leaks/leak-report-keys.js';
import { reportLeaks, type LeakReporter, type LeakReportItem } from './leaks/report-leaks.js';
import { IdentityCache } from './identities/identity-cache.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { LimitNotices } from './webhooks/limit-notices.js';
import { createIdentity } from './identities/create-identity.js';
import { getIdentity, listIdentities } from './identities/read-identities.js';
import { deleteIdentity, updateIdentity } from './identities/update-identity.js';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, rotateWebhookSecret, updateWebhook } from './webhooks/manage-webhooks.js';
import { listWebhookDeliveries, redeliverWebhook } from './webhooks/webhook-deliveries.js';
import { defaultWebhookSenderOptions, WebhookSender, type WebhookSenderOptions } from './webhooks/webhook-sender.js';
import { defaultWebhookSchedulerOptions, WebhookScheduler, type WebhookSchedulerOptions } from './webhooks/webhook-scheduler.js';
import { InstanceHeartbeat } from './limits/instance-heartbeat.js';
import { CreditLedger } from './limits/credit-ledger.js';
import { newId } from '../core/ids.js';
import { addCredits, setCredits, type CreditsHolder, type SetCreditsInput } from './limits/change-credits.js';
import { identityRateLimits, tokenRateLimits } from './limits/read-limit-state.js';

export interface TesseraOptions {
  store: Store;
  clock?: Clock;
  randomBytes?: RandomBytes;
  logger?: Logger;
  cache?: Partial<TokenCacheOptions>;
  usageFlushIntervalMs?: number;
  usage?: Partial<UsageRecorderOptions>;
  authThrottle?: AuthThrottleOptions;
  /** How this instance hears other instances' changes; default: none (a single instance). */
  changeFeed?: ChangeFeed;
  /** Seconds cached tokens may be served after the change feed is lost (the database is down); default 0. */
  staleVerifySeconds?: number;
  /** The `iss` of issued JWTs (e.g. the public base URL); default `tessera`. */
  issuer?: string;
  /** Public keys signed leak reports are checked with (`TESSERA_LEAK_REPORT_PUBLIC_KEYS`); default none. */
  leakReportKeys?: LeakReportKeys;
  /** The webhook sender and scheduler (issue 20); they run only after `startWebhooks()`. */
  webhooks?: { sender?: Partial<WebhookSenderOptions>; scheduler?: Partial<WebhookSchedulerOptions> };
}

export type Tessera = ReturnType<typeof createTessera>;

export function createTessera(options: TesseraOptions) {
  const logger = options.logger ?? pino({ level: 'silent' });
  const clock = options.clock ?? systemClock;
  const flushIntervalMs = options.usageFlushIntervalMs ?? 1000;
  // Credits and rate limits share one heartbeat: both share out what is left between the instances alive.
  const heartbeat = new InstanceHeartbeat(options.store, newId('instance', options.randomBytes ?? ((n) => cryptoRandomBytes(n))), flushIntervalMs, options.store.kind === 'postgres');
  const ctx: ServiceContext = {
    store: options.store,
    clock: options.clock ?? systemClock,
    randomBytes: options.randomBytes ?? ((n) => cryptoRandomBytes(n)),
    logger,
    tokenCache: new TokenCache(options.cache),
    accountCache: new AccountCache(options.store),
    catalogs: new CatalogRegistry(options.store),
    usage: new UsageRecorder(
      options.store,
      logger,
      { flushIntervalMs: options.usageFlushIntervalMs ?? 1000, ...options.usage },
      options.clock ?? systemClock,
    ),
    changes: options.changeFeed ?? createLocalChangeFeed(),
    identities: new IdentityCache(options.store),
    rateLimiter: new RateLimiter({ store: options.store, logger, clock, flushIntervalMs, heartbeat }),
    limitNotices: new LimitNotices(),
    credits: new CreditLedger(options.store, logger, clock, flushIntervalMs, heartbeat),
    staleVerifyMs: (options.staleVerifySeconds ?? 0) * 1000,
  };
  const throttle = new AuthThrottle(options.authThrottle ?? defaultAuthThrottleOptions);
  const signingKeys = new SigningKeys(ctx);
  const issued = new IssuedTokenVerifier(ctx, signingKeys, { issuer: options.issuer ?? 'tessera' });
  const stopFollowing = followStoreChanges(ctx);
  const webhookSender = new WebhookSender(ctx, {
    ...defaultWebhookSenderOptions,
    owner: Buffer.from(ctx.randomBytes(12)).toString('hex'),
    ...options.webhooks?.sender,
  });
  const webhookScheduler = new WebhookScheduler(ctx, { ...defaultWebhookSchedulerOptions, ...options.webhooks?.scheduler });

  return {
    ctx,
    /** Starts background work (usage batches). */
    start: () => {
      ctx.usage.start();
      ctx.credits.start();
      ctx.rateLimiter.start();
    },
    /** Starts hearing other instances' changes (resolves once the first connection is up or has failed). */
    listenForChanges: () => listenForChanges(ctx),
    /** Flushes pending usage and closes the store. */
    /** Starts delivering webhook events and the sweep of time-based events and dormant tokens (`tessera serve`). */
    startWebhooks: () => {
      webhookSender.start();
      webhookScheduler.start();
      ctx.limitNotices.start(ctx, 1000);
    },
    /** One delivery round (tests; the sender runs these by itself once started). */
    deliverWebhooks: () => webhookSender.round(),
    /** One sweep of time-based events and dormant tokens (tests; the scheduler runs these by itself once started). */
    sweepWebhookSchedule: () => webhookScheduler.sweep(),
    /** Writes the `token.rate_limited` and `token.credits_exhausted` events noted since the last flush (tests; once a second after startWebhooks). */
    flushLimitEvents: () => ctx.limitNotices.flush(ctx),
    close: async () => {
      await webhookScheduler.stop();
      await ctx.limitNotices.stop(ctx);
      await webhookSender.stop();
      stopFollowing();
      await ctx.changes.close();
      await ctx.usage.stop();
      await ctx.credits.stop();
      await ctx.rateLimiter.stop();
      await ctx.store.close();
    },
    bootstrap: () => bootstrap(ctx),
    initialise: () => initialise(ctx),
    authenticate: (credential: PresentedCredential | undefined, ip: string) =>
      authenticate(ctx, throttle, credential, ip),
    verify: (input: VerifyInput) => verifyPresented(ctx, issued, input, 'verify'),
    /** Whether a verify answer may need the caller's own token (see requireVerifier); synchronous, for the hot path. */
    mayRequireVerifier: (result: VerifyResult) => mayRequireVerifier(ctx, result),
    requireVerifier: (result: VerifyResult, callerCredential: () => PresentedCredential | undefined, ip: string) =>
      requireVerifier(ctx, throttle, result, callerCredential, ip),
    getAccount: (actor: Actor) => getAccount(ctx, actor),
    describeCaller: (actor: Actor) => describeCaller(ctx, actor),
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
    // Integration platform: endpoint authentication, primary and secondary endpoint tokens.
    listEndpoints: (actor: Actor) => listEndpoints(ctx, actor),
    getEndpointAuth: (actor: Actor, id: string) => getEndpointAuth(ctx, actor, id),
    setEndpointAuth: (actor: Actor, id: string, input: Parameters<typeof setEndpointAuth>[3]) => setEndpointAuth(ctx, actor, id, input),
    regeneratePrimary: (actor: Actor, id: string, method: string, opts?: { overlapSeconds?: number }) =>
      regeneratePrimary(ctx, actor, id, method, opts),
    listTokensOfEndpoint: (actor: Actor, id: string, input: Parameters<typeof listTokensOfEndpoint>[3]) =>
      listTokensOfEndpoint(ctx, actor, id, input),
    createEndpointToken: (actor: Actor, input: Parameters<typeof createEndpointToken>[2]) => createEndpointToken(ctx, actor, input),
    listEndpointTokens: (actor: Actor, input: Parameters<typeof listEndpointTokens>[2]) => listEndpointTokens(ctx, actor, input),
    getEndpointToken: (actor: Actor, id: string) => getEndpointToken(ctx, actor, id),
    setEndpointTokenEnabled: (actor: Actor, id: string, enabled: boolean) => setEndpointTokenEnabled(ctx, actor, id, enabled),
    setAssignments: (actor: Actor, id: string, assignments: Parameters<typeof setAssignments>[3]) =>
      setAssignments(ctx, actor, id, assignments),
    listUsage: (actor: Actor, input: Parameters<typeof listUsage>[2]) => listUsage(ctx, actor, input),
    listUsageEvents: (actor: Actor, input: Parameters<typeof listUsageEvents>[2]) => listUsageEvents(ctx, actor, input),
    authorize: (input: AuthorizeInput) => authorizeRequest(ctx, issued, input),
    introspect: (actor: Actor, token: string) => introspectToken(ctx, issued, actor, token),
    revokePresented: (actor: Actor, token: string) => revokePresentedToken(ctx, actor, token),
    issueToken: (actor: Actor, input: IssueTokenInput) => issueToken(ctx, signingKeys, issued, actor, input),
    rotateSigningKey: (actor: Actor, opts?: { alg?: SigningAlg }) => rotateSigningKey(ctx, signingKeys, actor, opts),
    jwks: () => signingKeys.jwks(),
    // Issue 20: leak reports and the scanner's lookups (docs/leaks.md).
    signedLeakReporter: (keyId: string, signature: string, body: Buffer) =>
      signedReporter(options.leakReportKeys ?? NO_LEAK_REPORT_KEYS, keyId, signature, body),
    reportLeaks: (reporter: LeakReporter, items: readonly LeakReportItem[]) => reportLeaks(ctx, reporter, items),
    checkLeaks: (actor: Actor, secrets: readonly string[]) => checkLeaks(ctx, actor, secrets),
    // Issue 19: identities and usage control (docs/limits.md).
    createIdentity: (actor: Actor, input: Parameters<typeof createIdentity>[2]) => createIdentity(ctx, actor, input),
    listIdentities: (actor: Actor, input: Parameters<typeof listIdentities>[2]) => listIdentities(ctx, actor, input),
    getIdentity: (actor: Actor, id: string) => getIdentity(ctx, actor, id),
    updateIdentity: (actor: Actor, id: string, input: Parameters<typeof updateIdentity>[3]) => updateIdentity(ctx, actor, id, input),
    deleteIdentity: (actor: Actor, id: string) => deleteIdentity(ctx, actor, id),
    // Issue 20: webhook endpoints and their delivery logs (docs/webhooks.md).
    createWebhook: (actor: Actor, input: Parameters<typeof createWebhook>[2]) => createWebhook(ctx, actor, input),
    listWebhooks: (actor: Actor, input: Parameters<typeof listWebhooks>[2]) => listWebhooks(ctx, actor, input),
    getWebhook: (actor: Actor, id: string) => getWebhook(ctx, actor, id),
    updateWebhook: (actor: Actor, id: string, input: Parameters<typeof updateWebhook>[3]) => updateWebhook(ctx, actor, id, input),
    deleteWebhook: (actor: Actor, id: string) => deleteWebhook(ctx, actor, id),
    rotateWebhookSecret: (actor: Actor, id: string, opts?: { overlapSeconds?: number }) => rotateWebhookSecret(ctx, actor, id, opts),
    listWebhookDeliveries: (actor: Actor, id: string, input: Parameters<typeof listWebhookDeliveries>[3]) => listWebhookDeliveries(ctx, actor, id, input),
    redeliverWebhook: (actor: Actor, id: string, deliveryId: string) => redeliverWebhook(ctx, actor, id, deliveryId),
    setCredits: (actor: Actor, holder: CreditsHolder, id: string, input: SetCreditsInput) => setCredits(ctx, actor, holder, id, input),
    addCredits: (actor: Actor, holder: CreditsHolder, id: string, amount: number) => addCredits(ctx, actor, holder, id, amount),
    tokenRateLimits: (actor: Actor, id: string) => tokenRateLimits(ctx, actor, id),
    identityRateLimits: (actor: Actor, id: string) => identityRateLimits(ctx, actor, id),
    /** Checks that consumed rate limits, by outcome, since start (read by the metrics scrape). */
    limitOutcomes: (): Readonly<Record<'passed' | 'rate_limited', number>> => ctx.rateLimiter.outcomes,
    creditOutcomes: (): Readonly<Record<'passed' | 'usage_exceeded', number>> => ctx.credits.outcomes,
  };
}

export type { Actor, Scope };
