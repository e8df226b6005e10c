/** Renders every failure as the one envelope: TesseraErrors by code, Fastify's own by status, the rest as 500. */
import { STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TesseraError, errorStatus, type ErrorCode } from '../core/errors.js';
import { bearerChallenge, envelope, sendError } from './error-envelope.js';

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** `/scopes/0` + missing `name` → `scopes[0].name`. */
export function fieldOf(issue: ValidationIssue): string {
  const parts = issue.instancePath.split('/').filter(Boolean);
  const extra = (issue.params.missingProperty ?? issue.params.additionalProperty) as string | undefined;
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function validationText(issue: ValidationIssue, context: string | undefined): string {
  const field = fieldOf(issue) || context || 'body';
  if (issue.keyword === 'additionalProperties') return `${field}: unknown field`;
  if (issue.keyword === 'required') return `${field}: is required`;
  return `${field}: ${issue.message ?? 'is invalid'}`;
}

const statusCodes: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  408: 'REQUEST_TIMEOUT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  431: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  503: 'SERVICE_UNAVAILABLE',
};

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof TesseraError) return sendTesseraError(request, reply, error);
    if (error.validation && error.validation.length > 0) {
      const issue = error.validation[0] as unknown as ValidationIssue;
      const field = fieldOf(issue) || error.validationContext || 'body';
      return sendError(reply, 'BAD_REQUEST', validationText(issue, error.validationContext), { field });
    }
    const code = error.statusCode !== undefined ? statusCodes[error.statusCode] : undefined;
    if (code && error.statusCode! < 500) {
      return sendError(reply, code, fastifyText(error));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, 'INTERNAL', `internal error; quote request id ${request.id} when reporting it`);
  });

  // The URL is not echoed: it may carry a secret pasted by mistake, and an error body is often logged by clients.
  app.setNotFoundHandler((request, reply) => sendError(reply, 'NOT_FOUND', `no route for ${request.method} at this path`));
}

/**
 * Fastify's `frameworkErrors`: the router's own refusals (a URL that does not decode, a path parameter over
 * `maxParamLength`), which otherwise answer in Fastify's shape with the URL echoed back.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('X-Request-Id', request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    sendError(reply, 'URI_TOO_LONG', 'path: a path parameter is longer than 100 characters');
  } else if (error.code === 'FST_ERR_BAD_URL') {
    sendError(reply, 'BAD_REQUEST', 'path: is not a valid URL (bad percent-encoding)');
  } else {
    sendError(reply, 'BAD_REQUEST', 'request: could not be routed');
  }
}

const clientErrorAnswers: Record<string, { code: ErrorCode; text: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'REQUEST_TIMEOUT', text: 'request: not received in time' },
  HPE_HEADER_OVERFLOW: { code: 'REQUEST_HEADER_FIELDS_TOO_LARGE', text: 'headers: larger than the server accepts' },
};

/**
 * Node's `clientError`: a request its parser refused before Fastify saw it (headers too large, malformed
 * request line or header). Answered in the envelope on the raw socket, which is then closed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { code, text } = clientErrorAnswers[error.code ?? ''] ?? { code: 'BAD_REQUEST' as const, text: 'request: malformed HTTP' };
  const status = errorStatus[code];
  const body = JSON.stringify(envelope(code, text));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The headers an error of this code carries beside its envelope (RFC 6750 challenges, Retry-After), named as Fastify sends them. */
export function tesseraErrorHeaders(error: TesseraError, requestHeaders: IncomingHttpHeaders): Record<string, string> {
  if (error.code === 'UNAUTHORIZED') {
    const presented = requestHeaders.authorization !== undefined || requestHeaders['x-api-key'] !== undefined;
    return { 'www-authenticate': bearerChallenge(presented ? 'invalid_token' : 'missing') };
  }
  if (error.code === 'FORBIDDEN') return { 'www-authenticate': bearerChallenge('insufficient_scope', error.requiredScopes ?? []) };
  const wait = error.code === 'TOO_MANY_REQUESTS' ? (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds : undefined;
  return wait ? { 'retry-after': String(wait) } : {};
}

function sendTesseraError(request: FastifyRequest, reply: FastifyReply, error: TesseraError): FastifyReply {
  reply.headers(tesseraErrorHeaders(error, request.headers));
  if (error.code === 'INTERNAL') request.log.error({ err: error }, 'internal error');
  if (error.code === 'SERVICE_UNAVAILABLE') logUnavailable(request, error);
  const details = error.code === 'TOO_MANY_REQUESTS' ? undefined : error.details;
  return sendError(reply, error.code, error.message, details);
}

/**
 * Every 503 leaves a warn line naming its cause (disk full, locked, read-only, database unreachable: the answer's
 * text) and the driver's code beneath it (`SQLITE_FULL`, `ECONNREFUSED`), for an operator to alert on.
 */
function logUnavailable(request: FastifyRequest, error: TesseraError): void {
  logUnavailableCall(request.log, request.method, request.routeOptions.url, error);
}

/** The warning a 503 leaves (its cause's code and message, never a secret), for either way a request is answered. */
export function logUnavailableCall(log: Pick<FastifyBaseLogger, 'warn'>, method: string, route: string | undefined, error: TesseraError): void {
  const cause = (error as { cause?: unknown }).cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message = typeof cause?.message === 'string' ? cause.message : undefined;
  log.warn({ status: 503, method, route, cause: { code, message } }, `service unavailable: ${error.message}`);
}

/** Fastify's messages for its own 4xx errors, rewritten to name what the caller must change. */
function fastifyText(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body: request body is too large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Content-Type: send application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'body: must not be empty when Content-Type is application/json';
    default:
      return error.statusCode === 400 && error.message.includes('JSON')
        ? 'body: is not valid JSON'
        : error.message;
  }
}
