/** The backend for a database file: the service itself, acting as the default account's system actor. */
import { TesseraError } from '../core/errors.js';
import { toVerifyResponse } from '../http/routes/verify-route.js';
import type { DatabaseConfig } from '../runtime/config.js';
import { openStore } from '../runtime/open-store.js';
import { checkScopes, createTessera, systemActor, type Tessera } from '../service/index.js';
import type { Backend } from './backend.js';
import { databaseExists } from './cli-options.js';

/** Opens the store and the service; refuses (without creating a file) a database that was never initialised. */
export async function openTessera(database: DatabaseConfig, options: { create: boolean }): Promise<Tessera> {
  if (!options.create && !databaseExists(database)) throw noAccount(database);
  const store = await openStore(database);
  return createTessera({ store });
}

export async function createLocalBackend(database: DatabaseConfig): Promise<Backend> {
  const tessera = await openTessera(database, { create: false });
  const account = await tessera.ctx.store.getDefaultAccount();
  if (!account) {
    await tessera.close();
    throw noAccount(database);
  }
  const actor = systemActor(account.id);
  return {
    create: (input) => tessera.createToken(actor, input),
    list: (input) => tessera.listTokens(actor, input),
    show: (id) => tessera.getToken(actor, id),
    update: (id, input) => tessera.updateToken(actor, id, input),
    enable: (id) => tessera.setTokenEnabled(actor, id, true),
    disable: (id) => tessera.setTokenEnabled(actor, id, false),
    rotate: (id, options) => tessera.rotateToken(actor, id, options),
    revoke: (id) => tessera.revokeToken(actor, id),
    delete: (ids) => tessera.deleteTokens(actor, ids),
    verify: async ({ token, scopes, ip }) =>
      toVerifyResponse(await tessera.verify({ secret: token, scopes: checkScopes(scopes, 'scopes'), ...(ip ? { ip } : {}) })),
    accountShow: () => tessera.getAccount(actor),
    accountPolicySet: (patch) => tessera.updateAccountPolicy(actor, patch),
    auditList: (input) => tessera.listAudit(actor, input),
    auditVerify: () => tessera.verifyAudit(actor),
    catalogShow: (version) => tessera.getCatalog(actor, version),
    catalogValidate: (input) => tessera.validateCatalog(actor, input),
    catalogApply: (input) => tessera.applyCatalog(actor, input),
    catalogVersions: () => tessera.listCatalogVersions(actor, { limit: 200 }),
    endpointList: () => tessera.listEndpoints(actor),
    endpointAuthGet: (id) => tessera.getEndpointAuth(actor, id),
    endpointAuthSet: (id, input) => tessera.setEndpointAuth(actor, id, input),
    endpointRegenerate: (id, method, options) => tessera.regeneratePrimary(actor, id, method, options),
    endpointTokens: (id, input) => tessera.listTokensOfEndpoint(actor, id, input),
    endpointTokenCreate: (input) => tessera.createEndpointToken(actor, input),
    endpointTokenList: (input) => tessera.listEndpointTokens(actor, input),
    endpointTokenShow: (id) => tessera.getEndpointToken(actor, id),
    endpointTokenSetEnabled: (id, enabled) => tessera.setEndpointTokenEnabled(actor, id, enabled),
    endpointTokenAssign: (id, assignments) => tessera.setAssignments(actor, id, assignments),
    leakCheck: (tokens) => tessera.checkLeaks(actor, tokens),
    identityList: (input) => tessera.listIdentities(actor, input),
    identityShow: (id) => tessera.getIdentity(actor, id),
    identityCreate: (input) => tessera.createIdentity(actor, input),
    identityUpdate: (id, input) => tessera.updateIdentity(actor, id, input),
    identityDelete: (id) => tessera.deleteIdentity(actor, id),
    webhookCreate: (input) => tessera.createWebhook(actor, input),
    webhookList: (input) => tessera.listWebhooks(actor, input),
    webhookShow: (id) => tessera.getWebhook(actor, id),
    webhookUpdate: (id, input) => tessera.updateWebhook(actor, id, input),
    webhookDelete: (id) => tessera.deleteWebhook(actor, id),
    webhookRotateSecret: (id, options) => tessera.rotateWebhookSecret(actor, id, options),
    webhookDeliveries: (id, input) => tessera.listWebhookDeliveries(actor, id, input),
    // Queued in the database: a running server's sender picks it up (the CLI itself sends nothing).
    webhookRedeliver: (id, deliveryId) => tessera.redeliverWebhook(actor, id, deliveryId),
    creditsSet: (holder, id, input) => tessera.setCredits(actor, holder, id, input),
    creditsAdd: (holder, id, amount) => tessera.addCredits(actor, holder, id, amount),
    rateLimits: async (holder, id) => ({ ratelimits: await (holder === 'token' ? tessera.tokenRateLimits(actor, id) : tessera.identityRateLimits(actor, id)) }),
    close: () => tessera.close(),
  };
}

function noAccount(database: DatabaseConfig): TesseraError {
  const where = database.kind === 'sqlite' ? database.filename : 'DATABASE_URL';
  return new TesseraError('NOT_FOUND', `${where} has no account yet; run tessera init first (or pass --db FILE)`);
}
