/** A tiny typed client of Tessera's public HTTP API: fetch with the session's bearer token, errors as ApiError. */
import type { components, paths } from '../../sdk/src/generated/openapi';
import { clearSession, readSession } from './session';

/** The server's own response types, generated from its OpenAPI document (checked against it in CI). */
type Schemas = components['schemas'];
export type Token = Schemas['Token'];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CreateTokenInput {
  id?: string;
  name: string;
  description?: string | null;
  profileId?: string | null;
  scopes: string[];
  templates?: string[];
  expiresAt?: string | null;
  allowedIps?: string[];
}

/** `GET /v1/catalog/tree`: the services tree, the permission sets and the resource types (what the console offers). */
export type CatalogTree = paths['/v1/catalog/tree']['get']['responses'][200]['content']['application/json'];
export type TreeService = CatalogTree['services'][number];
export type Template = CatalogTree['templates'][number];
/** A resource type (IoT-style grants): grants are spelled `pattern` with `{id}` and `{action}`. */
export type ResourceType = CatalogTree['resources'][number];

export interface CatalogVersion {
  accountId: string;
  version: number;
  name: string;
  format: string;
  createdAt: string;
  createdBy: string | null;
  source: string;
}

export interface CatalogIssue { path: string; line?: number; message: string }

/**
 * `GET /v1/account`: the account, its policy, and `caller`, the signed-in token's effective limits — a token it creates
 * may not outlive `expiresAt` nor reach beyond `allowedIps`, nor hold more than `scopes` minus `deny`.
 */
export type Account = paths['/v1/account']['get']['responses'][200]['content']['application/json'];
export type Caller = NonNullable<Account['caller']>;

export type AuditEvent = Schemas['AuditEvent'];

export interface Capabilities {
  tokenId: string;
  scopes: { scope: string; access: string }[];
  endpoints: { method: string; path: string; access: string }[];
}

export interface VerifyResult { valid: boolean; code: string; tokenId?: string | null }

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

interface Envelope {
  requestError?: { serviceException?: { messageId?: string; text?: string; details?: unknown } };
}

/** The field an error is about: `details.field`, else the text's leading "field: …". */
export function fieldOf(text: string, details: unknown): string | undefined {
  if (details && typeof details === 'object' && 'field' in details && typeof details.field === 'string') return details.field;
  const match = /^([A-Za-z_][\w.[\]/-]*): /.exec(text);
  return match?.[1];
}

type Query = Record<string, string | number | boolean | string[] | undefined>;

function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export async function request<T>(method: string, path: string, options: { body?: unknown; query?: Query; token?: string } = {}): Promise<T> {
  const token = options.token ?? readSession();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server could not be reached. Check your connection and try again.', undefined, undefined);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const exception = (body as Envelope | undefined)?.requestError?.serviceException;
    const messageId = exception?.messageId ?? `HTTP_${response.status}`;
    const message = exception?.text ?? (text.slice(0, 200) || response.statusText);
    // A token that stopped working (revoked, expired, signed out elsewhere) ends the session.
    if (response.status === 401 && !options.token) clearSession(message);
    throw new ApiError(response.status, messageId, message, fieldOf(message, exception?.details), exception?.details);
  }
  return body as T;
}

const enc = encodeURIComponent;

export const api = {
  account: (token?: string) => request<Account>('GET', '/v1/account', token ? { token } : {}),

  /** `search`: a name's substring or an exact id; `kind=standard` leaves out endpoint tokens (managed on their endpoints). */
  listTokens: (query: { status?: string; kind?: 'standard' | 'primary' | 'secondary' | 'all'; search?: string; limit?: number; cursor?: string }) =>
    request<Page<Token>>('GET', '/v1/tokens', { query }),
  getToken: (id: string) => request<Token>('GET', `/v1/tokens/${enc(id)}`),
  createToken: (body: CreateTokenInput) => request<{ token: Token; secret: string }>('POST', '/v1/tokens', { body }),
  updateToken: (id: string, body: Partial<CreateTokenInput> & { enabled?: boolean }) =>
    request<Token>('PATCH', `/v1/tokens/${enc(id)}`, { body }),
  setEnabled: (id: string, enabled: boolean) => request<Token>('POST', `/v1/tokens/${enc(id)}/${enabled ? 'enable' : 'disable'}`),
  revokeToken: (id: string) => request<{ token: Token; cascaded: string[] }>('POST', `/v1/tokens/${enc(id)}/revoke`),
  rotateToken: (id: string, overlapSeconds = 0) =>
    request<{ token: Token; secret: string }>('POST', `/v1/tokens/${enc(id)}/rotate`, { body: { overlapSeconds } }),
  deleteTokens: (ids: string[]) => request<{ deleted: string[] }>('POST', '/v1/tokens/bulk-delete', { body: { ids } }),
  capabilities: (id: string) => request<Capabilities>('GET', `/v1/tokens/${enc(id)}/capabilities`),

  verify: (token: string, scopes?: string[]) => request<VerifyResult>('POST', '/v1/verify', { body: { token, ...(scopes ? { scopes } : {}) } }),

  catalogTree: (selection: { templates?: string[]; scopes?: string[]; tokenId?: string }) =>
    request<CatalogTree>('GET', '/v1/catalog/tree', { query: selection }),
  catalog: () => request<CatalogVersion>('GET', '/v1/catalog'),
  validateCatalog: (source: string, format: 'yaml' | 'json') =>
    request<{ valid: boolean; errors: CatalogIssue[]; tokensWithUnknownPermissions: { tokenId: string; name: string; issues: CatalogIssue[] }[] }>(
      'POST', '/v1/catalog/validate', { body: { source, format } }),
  applyCatalog: (source: string, format: 'yaml' | 'json', force = false) =>
    request<CatalogVersion>('PUT', '/v1/catalog', { body: { source, format, force } }),

  audit: (query: { tokenId?: string; action?: string; from?: string; to?: string; limit?: number; cursor?: string }) =>
    request<Page<AuditEvent>>('GET', '/v1/audit', { query }),
  auditChain: () => request<{ ok: boolean; events?: number; problem?: string }>('GET', '/v1/audit/verify'),
};

export type UsageBucket = Schemas['UsageBucket'];
export interface UsageQuery { tokenId?: string; endpoint?: string; outcome?: string; from?: string; to?: string; bucket?: 'minute' | 'hour' | 'day'; limit?: number }

/** Usage roll-ups (the first page: the console asks for at most `limit` buckets). */
export async function loadUsage(query: UsageQuery): Promise<UsageBucket[]> {
  const body = await request<Page<UsageBucket>>('GET', '/v1/usage', { query: { ...query } });
  return body.items;
}

export type EndpointAuth = Schemas['EndpointAuth'];
export type EndpointToken = Schemas['EndpointToken'];
/** One assignment as sent to `PUT /v1/endpoint-tokens/{id}/assignments` (`active` only comes back). */
export interface Assignment { endpoint: string; method: string; active?: boolean }

export const endpointsApi = {
  list: () => request<{ items: EndpointAuth[] }>('GET', '/v1/endpoints'),
  auth: (id: string) => request<EndpointAuth>('GET', `/v1/endpoints/${enc(id)}/auth`),
  setAuth: (id: string, body: { mode?: EndpointAuth['mode']; allowDelete?: boolean }) =>
    request<EndpointAuth & { generated: { method: string; tokenId: string; secret: string }[] }>('PUT', `/v1/endpoints/${enc(id)}/auth`, { body }),
  regenerate: (id: string, method: string, overlapSeconds = 0) =>
    request<{ method: string; token: Token; secret: string }>('POST', `/v1/endpoints/${enc(id)}/primary-tokens/${enc(method)}/regenerate`, { body: { overlapSeconds } }),
  tokensOf: (id: string, assigned: 'true' | 'all') => request<Page<EndpointToken>>('GET', `/v1/endpoints/${enc(id)}/tokens`, { query: { assigned, limit: 200 } }),
  secondaries: (status: 'active' | 'inactive' | 'all') => request<Page<EndpointToken>>('GET', '/v1/endpoint-tokens', { query: { status, limit: 200 } }),
  createSecondary: (body: { name: string; description?: string | null; enabled?: boolean; assignments?: Assignment[] }) =>
    request<{ token: EndpointToken; secret: string }>('POST', '/v1/endpoint-tokens', { body }),
  setSecondaryEnabled: (id: string, enabled: boolean) => request<EndpointToken>('POST', `/v1/endpoint-tokens/${enc(id)}/${enabled ? 'enable' : 'disable'}`),
  assign: (id: string, assignments: Assignment[]) =>
    request<EndpointToken>('PUT', `/v1/endpoint-tokens/${enc(id)}/assignments`, { body: { assignments: assignments.map(({ endpoint, method }) => ({ endpoint, method })) } }),
};
