/**
 * A server span per HTTP request (only installed when tracing is on), for requests through Fastify and for the
 * forward-auth checks a gateway connection's reader answers without it; a caller's W3C traceparent is continued.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthorizeAnswer, AuthorizeAnswerer, AuthorizeCall } from './gateway/authorize-answer.js';
import { authorizePath } from './gateway/gateway-kind.js';

const spans = new WeakMap<FastifyRequest, Span>();

export function traceRequests(app: FastifyInstance, tracer: Tracer): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(context.active(), request.headers);
    // The path only: a query string may carry a token (`access_token`, where an account allows it).
    const path = request.url.split('?')[0] ?? '/';
    const span = tracer.startSpan(`${request.method} ${path}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, 'url.path': path, 'tessera.request.id': request.id },
    }, parent);
    spans.set(request, span);
    // The rest of the request (hooks, handler, and what they await) runs with this span as the active one.
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      const route = request.routeOptions.url;
      if (route) span.updateName(`${request.method} ${route}`).setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}

/**
 * A check on a gateway connection (gateway/gateway-connection.ts), answered in a request span as Fastify's requests
 * are: named and attributed the same way, the gateway's traceparent continued, and the check span (trace-checks.ts)
 * under it. A check the reader cannot answer is handed to Fastify, which traces it again: this span then says so.
 */
export function answerTraced(answerer: AuthorizeAnswerer, tracer: Tracer, call: AuthorizeCall): AuthorizeAnswer | Promise<AuthorizeAnswer> {
  const parent = propagation.extract(context.active(), call.headers);
  const path = authorizePath(call.gateway);
  const span = tracer.startSpan(`GET ${path}`, {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET', 'url.path': path, 'http.route': path },
  }, parent);
  const end = (answer: AuthorizeAnswer) => {
    span.setAttribute('http.response.status_code', answer.status).end();
    return answer;
  };
  const handedOver = (error: unknown): never => {
    span.setAttribute('tessera.gateway.handed_over', true).setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' }).end();
    throw error;
  };
  let answer: AuthorizeAnswer | Promise<AuthorizeAnswer>;
  try {
    answer = context.with(trace.setSpan(parent, span), () => answerer.answer(call));
  } catch (error) {
    return handedOver(error);
  }
  return answer instanceof Promise ? answer.then(end, handedOver) : end(answer);
}
