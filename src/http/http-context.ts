/** What route modules receive: the service, and how to authenticate a request through it. */
import type { FastifyRequest } from 'fastify';
import type { Actor, Tessera } from '../service/index.js';
import { requestAddress } from './client-address.js';
import { presentedCredential } from './credentials.js';
import type { Metrics } from './metrics.js';

export interface HttpContext {
  tessera: Tessera;
  metrics: Metrics;
  /** The actor behind the request's token; throws UNAUTHORIZED or TOO_MANY_REQUESTS. */
  authenticate(request: FastifyRequest): Promise<Actor>;
}

export function createHttpContext(tessera: Tessera, metrics: Metrics): HttpContext {
  return {
    tessera,
    metrics,
    authenticate: (request) => tessera.authenticate(presentedCredential(request), requestAddress(request)),
  };
}
