/** The backend for a running server: the HTTP API over `fetch`, its error envelope turned back into TesseraErrors. */
import { TesseraError, errorStatus, type ErrorCode } from '../core/errors.js';
import type { Backend } from './backend.js';

export interface RemoteOptions {
  url: string;
  token: string;
  /** Injected in tests; the global `fetch` otherwise. */
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | undefined>;

export function createRemoteBackend(options: RemoteOptions): Backend {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;

  async function call<T>(method: string, path: string, body?: unknown, query: Query = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const search = params.size > 0 ? `?${params}` : '';
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: 'application/json' };
    // Fastify refuses an empty body sent as JSON, so the content type goes only with a body.
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(`${base}${path}${search}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new TesseraError('SERVICE_UNAVAILABLE', `cannot reach ${base}: ${reason}`);
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) throw toError(response.status, parsed);
    if (parsed === undefined) {
      throw new TesseraError('INTERNAL', `${method} ${path}: expected a JSON answer, got HTTP ${response.status}`);
    }
    return parsed as T;
  }

  const enc = encodeURIComponent;
  return {
    create: (input) => call('POST', '/v1/tokens', input),
    list: (input) => call('GET', '/v1/tokens', undefined, { ...input }),
    show: (id) => call('GET', `/v1/tokens/${enc(id)}`),
    update: (id, input) => call('PATCH', `/v1/tokens/${enc(id)}`, input),
    enable: (id) => call('POST', `/v1/tokens/${enc(id)}/enable`),
    disable: (id) => call('POST', `/v1/tokens/${enc(id)}/disable`),
    rotate: (id, body) => call('POST', `/v1/tokens/${enc(id)}/rotate`, body),
    revoke: (id) => call('POST', `/v1/tokens/${enc(id)}/revoke`),
    delete: (ids) => call('POST', '/v1/tokens/bulk-delete', { ids }),
    verify: (request) => call('POST', '/v1/verify', request),
    accountShow: () => call('GET', '/v1/account'),
    accountPolicySet: (patch) => call('PATCH', '/v1/account/policy', patch),
    auditList: (input) => call('GET', '/v1/audit', undefined, { ...input }),
    auditVerify: () => call('GET', '/v1/audit/verify'),
    catalogShow: (version) => call('GET', '/v1/catalog', undefined, { version }),
    catalogValidate: (input) => call('POST', '/v1/catalog/validate', input),
    catalogApply: (input) => call('PUT', '/v1/catalog', input),
    catalogVersions: () => call('GET', '/v1/catalog/versions', undefined, { limit: 200 }),
    endpointList: () => call('GET', '/v1/endpoints'),
    endpointAuthGet: (id) => call('GET', `/v1/endpoints/${enc(id)}/auth`),
    endpointAuthSet: (id, input) => call('PUT', `/v1/endpoints/${enc(id)}/auth`, input),
    endpointRegenerate: (id, method, body) => call('POST', `/v1/endpoints/${enc(id)}/primary-tokens/${enc(method)}/regenerate`, body),
    endpointTokens: (id, input) => call('GET', `/v1/endpoints/${enc(id)}/tokens`, undefined, { ...input }),
    endpointTokenCreate: (input) => call('POST', '/v1/endpoint-tokens', input),
    endpointTokenList: (input) => call('GET', '/v1/endpoint-tokens', undefined, { ...input }),
    endpointTokenShow: (id) => call('GET', `/v1/endpoint-tokens/${enc(id)}`),
    endpointTokenSetEnabled: (id, enabled) => call('POST', `/v1/endpoint-tokens/${enc(id)}/${enabled ? 'enable' : 'disable'}`),
    endpointTokenAssign: (id, assignments) => call('PUT', `/v1/endpoint-tokens/${enc(id)}/assignments`, { assignments }),
    leakCheck: (tokens) => call('POST', '/v1/leaks/check', { tokens }),
    close: async () => {},
  };
}

function parseJson(text: string): unknown {
  try {
    return text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The server's envelope keeps its code and text; anything else (a proxy's page, say) is named by its status. */
function toError(status: number, body: unknown): TesseraError {
  const exception = (body as { requestError?: { serviceException?: { messageId?: unknown; text?: unknown; details?: unknown } } } | undefined)
    ?.requestError?.serviceException;
  if (exception && typeof exception.messageId === 'string' && typeof exception.text === 'string') {
    const code = exception.messageId in errorStatus ? (exception.messageId as ErrorCode) : codeForStatus(status);
    return new TesseraError(code, exception.text, { details: exception.details });
  }
  return new TesseraError(codeForStatus(status), `the server answered HTTP ${status} without an error body`);
}

function codeForStatus(status: number): ErrorCode {
  const match = (Object.entries(errorStatus) as [ErrorCode, number][]).find(([, s]) => s === status);
  return match ? match[0] : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
}
