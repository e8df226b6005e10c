/** Tessera's public HTTP API for the console: the SDK's typed client with the session's token, failures as ApiError. */
import { createTesseraClient, type TesseraClient } from '../../sdk/src/client';
import { TesseraApiError, isEnvelope } from '../../sdk/src/api-error';
import type { components, paths } from '../../sdk/src/generated/openapi';
import { clearSession, readSession } from './session';

/** The server's own request and response types, generated from its OpenAPI document (checked against it in CI). */
type Schemas = components['schemas'];
type Answer<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'patch'> =
  paths[P][M] extends { responses: infer R } ? R extends Record<200 | 201, { content: { 'application/json': infer B } }> ? B
    : R extends { 200: { content: { 'application/json': infer B } } } ? B
      : R extends { 201: { content: { 'application/json': infer B } } } ? B : never : never;
type Body<P extends keyof paths, M extends 'post' | 'put' | 'patch'> =
  paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type QueryOf<P extends keyof paths> = paths[P]['get'] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type Token = Schemas['Token'];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type CreateTokenInput = Body<'/v1/tokens', 'post'>;

/** `GET /v1/catalog/tree`: the services tree, the permission sets and the resource types (what the console offers). */
export type CatalogTree = Answer<'/v1/catalog/tree', 'get'>;
export type TreeService = CatalogTree['services'][number];
export type Template = CatalogTree['templates'][number];
/** A resource type (IoT-style grants): grants are spelled `pattern` with `{id}` and `{action}`. */
export type ResourceType = CatalogTree['resources'][number];

export type CatalogVersion = Answer<'/v1/catalog', 'get'>;
export type CatalogValidation = Answer<'/v1/catalog/validate', 'post'>;
export type CatalogIssue = CatalogValidation['errors'][number];

/**
 * `GET /v1/account`: the account, its policy, and `caller`, the signed-in token's effective limits — a token it creates
 * may not outlive `expiresAt` nor reach beyond `allowedIps`, nor hold more than `scopes` minus `deny`.
 */
export type Account = Answer<'/v1/account', 'get'>;
export type Caller = NonNullable<Account['caller']>;

export type AuditEvent = Schemas['AuditEvent'];
export type AuditAction = NonNullable<QueryOf<'/v1/audit'>['action']>;

/** An API failure as a person needs it: the stable code, the text, and the field it is about (if any). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly messageId: string,
    readonly text: string,
    readonly field: string | undefined,
    readonly details: unknown,
  ) {
    super(text);
    this.name = 'ApiError';
  }
}

/** The field an error is about: `details.field`, else the text's leading "field: …". */
export function fieldOf(text: string, details: unknown): string | undefined {
  if (details && typeof details === 'object' && 'field' in details && typeof details.field === 'string') return details.field;
  const match = /^([A-Za-z_][\w.[\]/-]*): /.exec(text);
  return match?.[1];
}

/** The signed-in session's client (or one for `token`, to check a token before signing in with it). */
function client(token: string | undefined): TesseraClient {
  return createTesseraClient({
    baseUrl: location.origin,
    token: token ?? readSession() ?? undefined,
    // Every answer is about live state (tokens switched off a moment ago): never from the browser's cache.
    fetch: (request) => fetch(request, { cache: 'no-store' }),
  });
}

/** A query without empty fields (an empty search box asks for everything). */
function query<Q extends object>(q: Q): Q {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== '')) as Q;
}

/** Runs one call; its failure becomes an ApiError, and a 401 to the session's own token ends the session. */
async function call<T>(run: (c: TesseraClient) => Promise<{ data?: T }>, token?: string): Promise<T> {
  try {
    return (await run(client(token))).data as T;
  } catch (error) {
    if (!(error instanceof TesseraApiError)) throw error;
    if (error.status === 0) {
      throw new ApiError(0, 'NETWORK', 'The server could not be reached. Check your connection and try again.', undefined, undefined);
    }
    const exception = isEnvelope(error.body) ? error.body.requestError.serviceException : undefined;
    const messageId = exception?.messageId ?? `HTTP_${error.status}`;
    const text = exception?.text ?? ((typeof error.body === 'string' && error.body.slice(0, 200)) || `HTTP ${error.status}`);
    // A token that stopped working (revoked, expired, signed out elsewhere) ends the session.
    if (error.status === 401 && token === undefined) clearSession(text);
    throw new ApiError(error.status, messageId, text, fieldOf(text, exception?.details), exception?.details);
  }
}

const byId = (id: string) => ({ params: { path: { id } } });

export const api = {
  account: (token?: string) => call((c) => c.GET('/v1/account'), token),

  /** `search`: a name's substring or an exact id; `kind=standard` leaves out endpoint tokens (managed on their endpoints). */
  listTokens: (q: QueryOf<'/v1/tokens'>) => call((c) => c.GET('/v1/tokens', { params: { query: query(q) } })),
  getToken: (id: string) => call((c) => c.GET('/v1/tokens/{id}', byId(id))),
  createToken: (body: CreateTokenInput) => call((c) => c.POST('/v1/tokens', { body })),
  updateToken: (id: string, body: Body<'/v1/tokens/{id}', 'patch'>) => call((c) => c.PATCH('/v1/tokens/{id}', { ...byId(id), body })),
  setEnabled: (id: string, enabled: boolean) =>
    call((c) => (enabled ? c.POST('/v1/tokens/{id}/enable', byId(id)) : c.POST('/v1/tokens/{id}/disable', byId(id)))),
  revokeToken: (id: string) => call((c) => c.POST('/v1/tokens/{id}/revoke', byId(id))),
  rotateToken: (id: string, overlapSeconds = 0) => call((c) => c.POST('/v1/tokens/{id}/rotate', { ...byId(id), body: { overlapSeconds } })),
  deleteTokens: (ids: string[]) => call((c) => c.POST('/v1/tokens/bulk-delete', { body: { ids } })),
  capabilities: (id: string) => call((c) => c.GET('/v1/tokens/{id}/capabilities', byId(id))),

  verify: (token: string, scopes?: string[]) => call((c) => c.POST('/v1/verify', { body: { token, ...(scopes ? { scopes } : {}) } })),

  catalogTree: (selection: QueryOf<'/v1/catalog/tree'>) => call((c) => c.GET('/v1/catalog/tree', { params: { query: query(selection) } })),
  catalog: () => call((c) => c.GET('/v1/catalog')),
  validateCatalog: (source: string, format: 'yaml' | 'json') => call((c) => c.POST('/v1/catalog/validate', { body: { source, format } })),
  applyCatalog: (source: string, format: 'yaml' | 'json', force = false) => call((c) => c.PUT('/v1/catalog', { body: { source, format, force } })),

  audit: (q: QueryOf<'/v1/audit'>) => call((c) => c.GET('/v1/audit', { params: { query: query(q) } })),
  auditChain: () => call((c) => c.GET('/v1/audit/verify')),
};

export type Identity = Schemas['Identity'];
export type IdentityInput = Body<'/v1/identities', 'post'>;
export type IdentityEdit = Body<'/v1/identities/{id}', 'patch'>;

/** `/v1/identities`: the users or customers tokens belong to, with the rate limits their tokens share. */
export const identitiesApi = {
  list: (q: QueryOf<'/v1/identities'>) => call((c) => c.GET('/v1/identities', { params: { query: query(q) } })),
  get: (id: string) => call((c) => c.GET('/v1/identities/{id}', byId(id))),
  create: (body: IdentityInput) => call((c) => c.POST('/v1/identities', { body })),
  update: (id: string, body: IdentityEdit, version: number) =>
    call((c) => c.PATCH('/v1/identities/{id}', { ...byId(id), body, headers: { 'if-match': String(version) } })),
  remove: (id: string) => call((c) => c.DELETE('/v1/identities/{id}', byId(id))),
};

/** Credits of a token or an identity (docs/limits.md): add to a balance, or set one where there is none. */
export const creditsApi = {
  add: (holder: 'token' | 'identity', id: string, amount: number) =>
    call((c) => (holder === 'token'
      ? c.POST('/v1/tokens/{id}/credits/add', { ...byId(id), body: { amount } })
      : c.POST('/v1/identities/{id}/credits/add', { ...byId(id), body: { amount } }))),
  set: (holder: 'token' | 'identity', id: string, remaining: number) =>
    call((c) => (holder === 'token'
      ? c.PUT('/v1/tokens/{id}/credits', { ...byId(id), body: { remaining } })
      : c.PUT('/v1/identities/{id}/credits', { ...byId(id), body: { remaining } }))),
};

/** `GET /v1/{tokens|identities}/{id}/ratelimits`: the current state of the rate limits a check would consume, read without consuming. */
export const ratelimitsApi = {
  state: (holder: 'token' | 'identity', id: string) =>
    call((c) => (holder === 'token' ? c.GET('/v1/tokens/{id}/ratelimits', byId(id)) : c.GET('/v1/identities/{id}/ratelimits', byId(id)))),
};

export type UsageBucket = Schemas['UsageBucket'];
export type UsageQuery = QueryOf<'/v1/usage'>;

/** Usage roll-ups (the first page: the console asks for at most `limit` buckets). */
export async function loadUsage(q: UsageQuery): Promise<UsageBucket[]> {
  const body = await call((c) => c.GET('/v1/usage', { params: { query: query(q) } }));
  return body.items;
}

export type EndpointAuth = Schemas['EndpointAuth'];
export type EndpointToken = Schemas['EndpointToken'];
/** One assignment as sent to `PUT /v1/endpoint-tokens/{id}/assignments` (`active` only comes back). */
export interface Assignment { endpoint: string; method: string; active?: boolean }
/**
 * A primary token's method as a request names it. The console only sends methods the server listed (its answers type
 * them as plain strings), so they are named as the request's type here, once.
 */
const primaryMethod = (method: string) => method as Body<'/v1/endpoint-tokens/{id}/assignments', 'put'>['assignments'][number]['method'];

export const endpointsApi = {
  list: () => call((c) => c.GET('/v1/endpoints')),
  auth: (id: string) => call((c) => c.GET('/v1/endpoints/{id}/auth', byId(id))),
  setAuth: (id: string, body: Body<'/v1/endpoints/{id}/auth', 'put'>) => call((c) => c.PUT('/v1/endpoints/{id}/auth', { ...byId(id), body })),
  regenerate: (id: string, method: string, overlapSeconds = 0) =>
    call((c) => c.POST('/v1/endpoints/{id}/primary-tokens/{method}/regenerate', { params: { path: { id, method: primaryMethod(method) } }, body: { overlapSeconds } })),
  tokensOf: (id: string, assigned: 'true' | 'all') =>
    call((c) => c.GET('/v1/endpoints/{id}/tokens', { params: { path: { id }, query: { assigned, limit: 200 } } })),
  secondaries: (status: 'active' | 'inactive' | 'all') => call((c) => c.GET('/v1/endpoint-tokens', { params: { query: { status, limit: 200 } } })),
  createSecondary: (body: Body<'/v1/endpoint-tokens', 'post'>) => call((c) => c.POST('/v1/endpoint-tokens', { body })),
  setSecondaryEnabled: (id: string, enabled: boolean) =>
    call((c) => (enabled ? c.POST('/v1/endpoint-tokens/{id}/enable', byId(id)) : c.POST('/v1/endpoint-tokens/{id}/disable', byId(id)))),
  assign: (id: string, assignments: Assignment[]) =>
    call((c) => c.PUT('/v1/endpoint-tokens/{id}/assignments', { ...byId(id), body: { assignments: assignments.map(({ endpoint, method }) => ({ endpoint, method: primaryMethod(method) })) } })),
};

export type Webhook = Schemas['Webhook'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type CreateWebhookInput = Body<'/v1/webhooks', 'post'>;

/** Webhook endpoints and their delivery logs (docs/webhooks.md). */
export const webhooksApi = {
  list: () => call((c) => c.GET('/v1/webhooks', { params: { query: { limit: 200 } } })),
  get: (id: string) => call((c) => c.GET('/v1/webhooks/{id}', byId(id))),
  create: (body: CreateWebhookInput) => call((c) => c.POST('/v1/webhooks', { body })),
  setEnabled: (id: string, enabled: boolean) => call((c) => c.PATCH('/v1/webhooks/{id}', { ...byId(id), body: { enabled } })),
  remove: (id: string) => call((c) => c.DELETE('/v1/webhooks/{id}', byId(id))),
  deliveries: (id: string) => call((c) => c.GET('/v1/webhooks/{id}/deliveries', { params: { path: { id }, query: { limit: 100 } } })),
  redeliver: (id: string, deliveryId: string) =>
    call((c) => c.POST('/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id, deliveryId } } })),
};
