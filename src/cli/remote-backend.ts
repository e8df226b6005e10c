/** The backend for a running server: the SDK's typed client, its failures turned back into TesseraErrors. */
import { TesseraApiError, createTesseraClient, isEnvelope } from '@tessera/sdk';
import { TesseraError, errorStatus, type ErrorCode } from '../core/errors.js';
import type { PrimaryMethod } from '../core/catalog/index.js';
import type { Backend } from './backend.js';

export interface RemoteOptions {
  url: string;
  token: string;
  /** Injected in tests; the global `fetch` otherwise. */
  fetch?: typeof fetch;
}

export function createRemoteBackend(options: RemoteOptions): Backend {
  const base = options.url.replace(/\/+$/, '');
  const tessera = createTesseraClient({ baseUrl: base, token: options.token, fetch: options.fetch, timeoutMs: 30_000 });

  /**
   * The body of a call's answer, typed as the Backend promises: the paths, parameters and bodies are checked against
   * the OpenAPI document by the client; the answer is the server's own response type under its service name.
   */
  async function answer<T>(call: Promise<{ data?: unknown; response: Response }>): Promise<T> {
    let answered: { data?: unknown; response: Response };
    try {
      answered = await call;
    } catch (error) {
      throw toTesseraError(base, error);
    }
    const { data, response } = answered;
    if (data === undefined) throw new TesseraError('INTERNAL', `${base} answered HTTP ${response.status} without a JSON body`);
    return data as T;
  }

  /** A call answered without a body (204, 202): only its failure matters. */
  async function done(call: Promise<unknown>): Promise<void> {
    try {
      await call;
    } catch (error) {
      throw toTesseraError(base, error);
    }
  }

  const id = (value: string) => ({ params: { path: { id: value } } });
  // A method is sent as the person typed it: the server refuses any other than POST, GET, DELETE and names the field.
  const typed = (assignments: { endpoint: string; method: string }[]) =>
    assignments.map((a) => ({ endpoint: a.endpoint, method: a.method as PrimaryMethod }));
  return {
    create: (input) => answer(tessera.POST('/v1/tokens', { body: input })),
    list: (input) => answer(tessera.GET('/v1/tokens', { params: { query: input } })),
    show: (tokenId) => answer(tessera.GET('/v1/tokens/{id}', id(tokenId))),
    update: (tokenId, input) => answer(tessera.PATCH('/v1/tokens/{id}', { ...id(tokenId), body: input })),
    enable: (tokenId) => answer(tessera.POST('/v1/tokens/{id}/enable', id(tokenId))),
    disable: (tokenId) => answer(tessera.POST('/v1/tokens/{id}/disable', id(tokenId))),
    rotate: (tokenId, body) => answer(tessera.POST('/v1/tokens/{id}/rotate', { ...id(tokenId), body })),
    revoke: (tokenId) => answer(tessera.POST('/v1/tokens/{id}/revoke', id(tokenId))),
    delete: (ids) => answer(tessera.POST('/v1/tokens/bulk-delete', { body: { ids } })),
    verify: (request) => answer(tessera.POST('/v1/verify', { body: request })),
    accountShow: () => answer(tessera.GET('/v1/account')),
    accountPolicySet: (patch) => answer(tessera.PATCH('/v1/account/policy', { body: patch })),
    auditList: (input) => answer(tessera.GET('/v1/audit', { params: { query: input } })),
    auditVerify: () => answer(tessera.GET('/v1/audit/verify')),
    catalogShow: (version) => answer(tessera.GET('/v1/catalog', { params: { query: { version } } })),
    catalogValidate: (input) => answer(tessera.POST('/v1/catalog/validate', { body: input })),
    catalogApply: (input) => answer(tessera.PUT('/v1/catalog', { body: input })),
    catalogVersions: () => answer(tessera.GET('/v1/catalog/versions', { params: { query: { limit: 200 } } })),
    endpointList: () => answer(tessera.GET('/v1/endpoints')),
    endpointAuthGet: (endpoint) => answer(tessera.GET('/v1/endpoints/{id}/auth', id(endpoint))),
    endpointAuthSet: (endpoint, input) =>
      answer(tessera.PUT('/v1/endpoints/{id}/auth', { ...id(endpoint), body: input })),
    endpointRegenerate: (endpoint, method, body) =>
      answer(tessera.POST('/v1/endpoints/{id}/primary-tokens/{method}/regenerate', {
        params: { path: { id: endpoint, method: method as PrimaryMethod } },
        body,
      })),
    endpointTokens: (endpoint, input) =>
      answer(tessera.GET('/v1/endpoints/{id}/tokens', { params: { path: { id: endpoint }, query: input } })),
    endpointTokenCreate: (input) => answer(tessera.POST('/v1/endpoint-tokens', { body: { ...input, assignments: input.assignments && typed(input.assignments) } })),
    endpointTokenList: (input) => answer(tessera.GET('/v1/endpoint-tokens', { params: { query: input } })),
    endpointTokenShow: (tokenId) => answer(tessera.GET('/v1/endpoint-tokens/{id}', id(tokenId))),
    endpointTokenSetEnabled: (tokenId, enabled) =>
      enabled
        ? answer(tessera.POST('/v1/endpoint-tokens/{id}/enable', id(tokenId)))
        : answer(tessera.POST('/v1/endpoint-tokens/{id}/disable', id(tokenId))),
    endpointTokenAssign: (tokenId, assignments) =>
      answer(tessera.PUT('/v1/endpoint-tokens/{id}/assignments', { ...id(tokenId), body: { assignments: typed(assignments) } })),
    leakCheck: (tokens) => answer(tessera.POST('/v1/leaks/check', { body: { tokens } })),
    identityList: (input) => answer(tessera.GET('/v1/identities', { params: { query: input } })),
    identityShow: (id) => answer(tessera.GET('/v1/identities/{id}', { params: { path: { id } } })),
    identityCreate: (input) => answer(tessera.POST('/v1/identities', { body: input })),
    identityUpdate: (id, input) => answer(tessera.PATCH('/v1/identities/{id}', { params: { path: { id } }, body: input })),
    identityDelete: (id) => answer(tessera.DELETE('/v1/identities/{id}', { params: { path: { id } } })),
    webhookCreate: (input) => answer(tessera.POST('/v1/webhooks', { body: input })),
    webhookList: (input) => answer(tessera.GET('/v1/webhooks', { params: { query: input } })),
    webhookShow: (webhookId) => answer(tessera.GET('/v1/webhooks/{id}', id(webhookId))),
    webhookUpdate: (webhookId, input) => answer(tessera.PATCH('/v1/webhooks/{id}', { ...id(webhookId), body: input })),
    webhookDelete: (webhookId) => done(tessera.DELETE('/v1/webhooks/{id}', id(webhookId))),
    webhookRotateSecret: (webhookId, body) => answer(tessera.POST('/v1/webhooks/{id}/rotate-secret', { ...id(webhookId), body })),
    webhookDeliveries: (webhookId, input) => answer(tessera.GET('/v1/webhooks/{id}/deliveries', { params: { path: { id: webhookId }, query: input } })),
    webhookRedeliver: (webhookId, deliveryId) =>
      done(tessera.POST('/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id: webhookId, deliveryId } } })),
    creditsSet: (holder, id, input) =>
      answer(holder === 'token'
        ? tessera.PUT('/v1/tokens/{id}/credits', { params: { path: { id } }, body: input })
        : tessera.PUT('/v1/identities/{id}/credits', { params: { path: { id } }, body: input })),
    creditsAdd: (holder, id, amount) =>
      answer(holder === 'token'
        ? tessera.POST('/v1/tokens/{id}/credits/add', { params: { path: { id } }, body: { amount } })
        : tessera.POST('/v1/identities/{id}/credits/add', { params: { path: { id } }, body: { amount } })),
    rateLimits: (holder, id) =>
      answer(holder === 'token'
        ? tessera.GET('/v1/tokens/{id}/ratelimits', { params: { path: { id } } })
        : tessera.GET('/v1/identities/{id}/ratelimits', { params: { path: { id } } })),
    close: async () => {},
  };
}

/** The server's envelope keeps its code and text; no answer is SERVICE_UNAVAILABLE; anything else is named by its status. */
function toTesseraError(base: string, error: unknown): TesseraError {
  if (!(error instanceof TesseraApiError)) throw error;
  if (error.status === 0) {
    const cause = error.cause instanceof Error ? error.cause : undefined;
    const reason = cause?.cause instanceof Error ? cause.cause.message : (cause?.message ?? error.message);
    return new TesseraError('SERVICE_UNAVAILABLE', `cannot reach ${base}: ${reason}`);
  }
  if (isEnvelope(error.body)) {
    const exception = error.body.requestError.serviceException;
    const code = exception.messageId in errorStatus ? (exception.messageId as ErrorCode) : codeForStatus(error.status);
    return new TesseraError(code, exception.text, { details: exception.details });
  }
  if (error.status >= 200 && error.status < 300) return new TesseraError('INTERNAL', `expected a JSON answer, got HTTP ${error.status}`);
  return new TesseraError(codeForStatus(error.status), `the server answered HTTP ${error.status} without an error body`);
}

function codeForStatus(status: number): ErrorCode {
  const match = (Object.entries(errorStatus) as [ErrorCode, number][]).find(([, s]) => s === status);
  return match ? match[0] : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
}
