/** createTesseraClient: the typed HTTP client generated from Tessera's OpenAPI document (openapi-fetch). */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { TesseraApiError } from './api-error.js';
import { readJson } from './read-json.js';
import type { paths } from './generated/openapi.js';

export type { paths, components, operations } from './generated/openapi.js';

/** The client: `GET`, `POST`, `PUT`, `PATCH`, `DELETE` over Tessera's paths, typed end to end. */
export type TesseraClient = Client<paths>;

export interface TesseraClientOptions {
  /** Where Tessera listens, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string | URL;
  /** A Tessera token sent as `Authorization: Bearer` on every call (the management API needs one). */
  token?: string | undefined;
  /** Extra headers on every call. */
  headers?: Record<string, string> | undefined;
  /** A fetch to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: typeof globalThis.fetch | undefined;
  /** Gives up on a call with no complete answer after this many milliseconds ({@link TesseraApiError} `TIMEOUT`). */
  timeoutMs?: number | undefined;
}

/**
 * Every non-2xx answer, every 2xx answer that is not JSON (another server at `baseUrl`, e.g. a proxy's HTML page)
 * and every network failure becomes a {@link TesseraApiError}, so callers handle one exception type and a resolved
 * call always has `data`.
 */
const throwOnError: Middleware = {
  async onResponse({ response, options }) {
    if (!response.ok) throw await TesseraApiError.fromResponse(response);
    // openapi-fetch parses JSON after the middleware, where a SyntaxError would escape: check it here first.
    if (options.parseAs !== 'json' || response.status === 204) return undefined;
    const { text } = await readJson(response);
    // The body was read: hand openapi-fetch a fresh one (none when empty: a 205 may not carry a body).
    return new Response(text === '' ? null : text, { status: response.status, statusText: response.statusText, headers: response.headers });
  },
  onError({ error }) {
    return TesseraApiError.fromNetworkError(error);
  },
};

/**
 * A typed client for Tessera's HTTP API. Paths, parameters, bodies and answers are checked against the server's
 * OpenAPI document (`sdk/openapi.json`); failures throw {@link TesseraApiError}.
 *
 * @example
 * ```ts
 * import { createTesseraClient } from '@tessera/sdk';
 *
 * const tessera = createTesseraClient({ baseUrl: 'http://127.0.0.1:8080', token: process.env.TESSERA_TOKEN });
 * const { data } = await tessera.POST('/v1/tokens', { body: { name: 'billing', scopes: ['invoices:read'] } });
 * console.log(data!.token.id, data!.secret); // the secret is shown once
 * const { data: verdict } = await tessera.POST('/v1/verify', { body: { token: data!.secret, scopes: ['invoices:read'] } });
 * console.log(verdict!.code); // "VALID"
 * ```
 */
export function createTesseraClient(options: TesseraClientOptions): TesseraClient {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const doFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const { timeoutMs } = options;
  const client = createClient<paths>({
    baseUrl: String(options.baseUrl).replace(/\/+$/, ''),
    headers,
    ...(options.fetch || timeoutMs !== undefined
      ? { fetch: (request: Request) => doFetch(timeoutMs === undefined ? request : new Request(request, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]) })) }
      : {}),
  });
  client.use(throwOnError);
  return client;
}
