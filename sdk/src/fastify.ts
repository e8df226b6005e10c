/** Fastify hooks: `requireScopes`, `requireQuery`, `requireEndpoint`; the identity lands on `request.tessera`. */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { createGuard, isPromise, pathOf, requirementGuards, type GuardOptions, type GuardResult } from './guard.js';
import type { TesseraVerifier } from './verifier.js';
import type { Requirement, TesseraIdentity } from './verify-types.js';

export type { GuardOptions, TesseraIdentity, TesseraVerifier };

declare module 'fastify' {
  interface FastifyRequest {
    /** Who presented the token; set by a Tessera hook (`tesseraFastify(...).requireScopes(...)`). */
    tessera?: TesseraIdentity;
  }
}

/** A Fastify `onRequest` / `preHandler` hook (callback style: a cached answer costs no promise). */
export type TesseraFastifyHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

export interface TesseraFastify {
  /** Requires every one of these scopes. */
  requireScopes(...scopes: string[]): TesseraFastifyHook;
  /** Requires a permission query, e.g. `message:send OR (sms:message:send AND sms:logs:read)`. */
  requireQuery(query: string): TesseraFastifyHook;
  /** Requires the catalog to grant this request's method and path (any one of the endpoint's scopes). */
  requireEndpoint(): TesseraFastifyHook;
  /** The verifier behind the hooks (share it with other middleware, or `clear()` its cache). */
  verifier: TesseraVerifier;
}

/**
 * Fastify hooks that check the presented token with Tessera. No token or a bad one → 401, a missing scope → 403,
 * each with RFC 6750 `WWW-Authenticate` and Tessera's envelope; if Tessera cannot answer, the hook fails the request
 * with a `TesseraApiError` (your error handler decides; nothing is let through).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { tesseraFastify } from '@tessera/sdk/fastify';
 *
 * const tessera = tesseraFastify({ baseUrl: 'http://127.0.0.1:8080' });
 * const app = Fastify();
 * app.get('/orders', { onRequest: tessera.requireScopes('orders:read') }, async (request) => ({
 *   tokenId: request.tessera!.tokenId,
 *   profileId: request.tessera!.profileId,
 * }));
 * ```
 */
export function tesseraFastify(options: GuardOptions): TesseraFastify {
  const guard = createGuard(options);

  const hook = (requirementOf: (request: FastifyRequest) => Requirement): TesseraFastifyHook =>
    function tesseraHook(request, reply, done) {
      const headers = request.headers;
      const apiKey = headers['x-api-key'];
      const result = guard.check(
        {
          authorization: headers.authorization,
          apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey,
          accessToken: options.accessTokenQuery ? accessTokenOf(request.query) : undefined,
        },
        requirementOf(request),
        request.ip,
        { traceparent: headers.traceparent, tracestate: headers.tracestate },
      );
      if (!isPromise(result)) return finish(result, request, reply, done);
      result.then((settled) => finish(settled, request, reply, done), done);
    };

  return {
    ...requirementGuards(hook, (request) => ({ method: request.method, path: pathOf(request.url) })),
    verifier: guard.verifier,
  };
}

function finish(result: GuardResult, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (result.ok) {
    request.tessera = result.identity;
    if (result.headers) void reply.headers(result.headers);
    done();
    return;
  }
  // Replying from a callback-style hook: send, and do not call done().
  void reply.code(result.denial.status).headers(result.denial.headers).send(result.denial.body);
}

function accessTokenOf(query: unknown): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.access_token;
  return typeof value === 'string' ? value : undefined;
}
