/** Express middleware: `requireScopes`, `requireQuery`, `requireEndpoint`; the identity on `req.tessera` and `res.locals.tessera`. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createGuard, isPromise, pathOf, requirementGuards, type GuardOptions, type GuardResult } from './guard.js';
import type { TesseraVerifier } from './verifier.js';
import type { Requirement, TesseraIdentity } from './verify-types.js';

export type { GuardOptions, TesseraIdentity, TesseraVerifier };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Who presented the token; set by a Tessera middleware (`tesseraExpress(...).requireScopes(...)`). */
      tessera?: TesseraIdentity;
    }
  }
}

export interface TesseraExpress {
  /** Requires every one of these scopes. */
  requireScopes(...scopes: string[]): RequestHandler;
  /** Requires a permission query, e.g. `message:send OR (sms:message:send AND sms:logs:read)`. */
  requireQuery(query: string): RequestHandler;
  /** Requires the catalog to grant this request's method and full path (`req.originalUrl`). */
  requireEndpoint(): RequestHandler;
  /** The verifier behind the middleware (share it, or `clear()` its cache). */
  verifier: TesseraVerifier;
}

/**
 * Express middleware that checks the presented token with Tessera. No token or a bad one → 401, a missing scope →
 * 403, each with RFC 6750 `WWW-Authenticate` and Tessera's envelope; if Tessera cannot answer, `next(error)` with a
 * `TesseraApiError` (your error middleware decides; nothing is let through). Works with Express 4.21+ and 5.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { tesseraExpress } from '@tessera/sdk/express';
 *
 * const tessera = tesseraExpress({ baseUrl: 'http://127.0.0.1:8080' });
 * const app = express();
 * app.get('/orders', tessera.requireScopes('orders:read'), (req, res) => {
 *   res.json({ tokenId: req.tessera!.tokenId, profileId: res.locals.tessera.profileId });
 * });
 * ```
 */
export function tesseraExpress(options: GuardOptions): TesseraExpress {
  const guard = createGuard(options);

  const middleware = (requirementOf: (req: Request) => Requirement): RequestHandler =>
    function tesseraMiddleware(req: Request, res: Response, next: NextFunction) {
      const apiKey = req.headers['x-api-key'];
      const result = guard.check(
        {
          authorization: req.headers.authorization,
          apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey,
          accessToken: options.accessTokenQuery ? accessTokenOf(req.query) : undefined,
        },
        requirementOf(req),
        req.ip,
        { traceparent: req.headers.traceparent, tracestate: req.headers.tracestate },
      );
      if (!isPromise(result)) return finish(result, req, res, next);
      result.then((settled) => finish(settled, req, res, next), next);
    };

  return {
    ...requirementGuards(middleware, (req) => ({ method: req.method, path: pathOf(req.originalUrl) })),
    verifier: guard.verifier,
  };
}

function finish(result: GuardResult, req: Request, res: Response, next: NextFunction): void {
  if (result.ok) {
    req.tessera = result.identity;
    res.locals.tessera = result.identity;
    if (result.headers) res.set(result.headers);
    next();
    return;
  }
  res.status(result.denial.status).set(result.denial.headers).send(JSON.stringify(result.denial.body));
}

function accessTokenOf(query: unknown): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.access_token;
  return typeof value === 'string' ? value : undefined;
}
