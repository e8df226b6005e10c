/** Hono middleware: `requireScopes`, `requireQuery`, `requireEndpoint`; the identity at `c.get('tessera')`. */
import type { Context, MiddlewareHandler } from 'hono';
import { createGuard, isPromise, requirementGuards, type GuardOptions, type GuardResult } from './guard.js';
import type { TesseraVerifier } from './verifier.js';
import type { Requirement, TesseraIdentity } from './verify-types.js';

export type { GuardOptions, TesseraIdentity, TesseraVerifier };

/** The Hono environment the middleware sets: `c.get('tessera')` is the identity. */
export type TesseraEnv = { Variables: { tessera: TesseraIdentity } };

export type TesseraHonoOptions = GuardOptions & {
  /**
   * The end client's address, passed to Tessera for allowed-IP checks. Default: the socket address under
   * `@hono/node-server` (`c.env.incoming`), else none (Tessera then judges the address of this service).
   * Behind a proxy, return the address it forwards.
   */
  clientIp?: ((c: Context) => string | undefined) | undefined;
};

export interface TesseraHono {
  /** Requires every one of these scopes. */
  requireScopes(...scopes: string[]): MiddlewareHandler<TesseraEnv>;
  /** Requires a permission query, e.g. `message:send OR (sms:message:send AND sms:logs:read)`. */
  requireQuery(query: string): MiddlewareHandler<TesseraEnv>;
  /** Requires the catalog to grant this request's method and path. */
  requireEndpoint(): MiddlewareHandler<TesseraEnv>;
  /** The verifier behind the middleware (share it, or `clear()` its cache). */
  verifier: TesseraVerifier;
}

/**
 * Hono middleware that checks the presented token with Tessera. No token or a bad one → 401, a missing scope → 403,
 * each with RFC 6750 `WWW-Authenticate` and Tessera's envelope; if Tessera cannot answer, it throws a
 * `TesseraApiError` (`app.onError` decides; nothing is let through).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { tesseraHono, type TesseraEnv } from '@tessera/sdk/hono';
 *
 * const tessera = tesseraHono({ baseUrl: 'http://127.0.0.1:8080' });
 * const app = new Hono<TesseraEnv>();
 * app.get('/orders', tessera.requireScopes('orders:read'), (c) =>
 *   c.json({ tokenId: c.get('tessera').tokenId, profileId: c.get('tessera').profileId }));
 * ```
 */
export function tesseraHono(options: TesseraHonoOptions): TesseraHono {
  const guard = createGuard(options);
  const clientIp = options.clientIp ?? nodeServerIp;

  const middleware = (requirementOf: (c: Context) => Requirement): MiddlewareHandler<TesseraEnv> =>
    async function tesseraMiddleware(c, next) {
      let result: GuardResult | Promise<GuardResult> = guard.check(
        {
          authorization: c.req.header('authorization'),
          apiKey: c.req.header('x-api-key'),
          accessToken: options.accessTokenQuery ? c.req.query('access_token') : undefined,
        },
        requirementOf(c),
        clientIp(c),
        { traceparent: c.req.header('traceparent'), tracestate: c.req.header('tracestate') },
      );
      if (isPromise(result)) result = await result;
      if (!result.ok) return c.json(result.denial.body, result.denial.status, result.denial.headers);
      c.set('tessera', result.identity);
      for (const [name, value] of Object.entries(result.headers ?? {})) c.header(name, value);
      await next();
    };

  return {
    ...requirementGuards(middleware, (c) => ({ method: c.req.method, path: c.req.path })),
    verifier: guard.verifier,
  };
}

function nodeServerIp(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}
