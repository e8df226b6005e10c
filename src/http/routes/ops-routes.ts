/** Liveness, readiness and Prometheus metrics. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HttpContext } from '../http-context.js';
import { sendError } from '../error-envelope.js';

/** Set by whoever runs the server: once `shuttingDown`, /readyz answers 503 so load balancers stop sending. */
export interface Readiness {
  shuttingDown: boolean;
}

export function opsRoutes(http: HttpContext, readiness: Readiness = { shuttingDown: false }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/healthz', {
      schema: { tags: ['operations'], summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    }, async () => ({ status: 'ok' as const }));

    app.get('/readyz', {
      schema: { tags: ['operations'], summary: 'The process can reach its database', response: { 200: Type.Object({ status: Type.Literal('ready') }) } },
    }, async (request, reply) => {
      if (readiness.shuttingDown) {
        request.log.warn({ status: 503 }, 'service unavailable: shutting down');
        return sendError(reply, 'SERVICE_UNAVAILABLE', 'shutting down');
      }
      try {
        await http.tessera.ctx.store.ping();
        return { status: 'ready' as const };
      } catch (error) {
        request.log.warn({ err: error, status: 503 }, 'readiness check failed: the database is not reachable');
        return sendError(reply, 'SERVICE_UNAVAILABLE', 'the database is not reachable');
      }
    });

    app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: false } }, async (_request, reply) => {
      reply.type(http.metrics.registry.contentType);
      return http.metrics.registry.metrics();
    });
  };
}
