/** Renders every failure as the one envelope: TesseraErrors by code, Fastify's own by status, the rest as 500. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TesseraError, type ErrorCode } from '../core/errors.js';
import { bearerChallenge, sendError } from './error-envelope.js';

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
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
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

  app.setNotFoundHandler((request, reply) => sendError(reply, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
}

function sendTesseraError(request: FastifyRequest, reply: FastifyReply, error: TesseraError): FastifyReply {
  if (error.code === 'UNAUTHORIZED') {
    const presented = request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined;
    reply.header('WWW-Authenticate', bearerChallenge(presented ? 'invalid_token' : 'missing'));
  } else if (error.code === 'FORBIDDEN') {
    reply.header('WWW-Authenticate', bearerChallenge('insufficient_scope', error.requiredScopes ?? []));
  } else if (error.code === 'TOO_MANY_REQUESTS') {
    const wait = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    if (wait) reply.header('Retry-After', String(wait));
  }
  if (error.code === 'INTERNAL') request.log.error({ err: error }, 'internal error');
  const details = error.code === 'TOO_MANY_REQUESTS' ? undefined : error.details;
  return sendError(reply, error.code, error.message, details);
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
