/** The one error body of every Tessera response (the messaging API's shape), and RFC 6750 challenges. */
import type { FastifyReply } from 'fastify';
import { errorStatus, type ErrorCode } from '../core/errors.js';

export interface ErrorEnvelope {
  requestError: { serviceException: { messageId: ErrorCode; text: string; details?: unknown } };
}

export function envelope(code: ErrorCode, text: string, details?: unknown): ErrorEnvelope {
  return { requestError: { serviceException: { messageId: code, text, ...(details === undefined ? {} : { details }) } } };
}

/** The exact 403 body of the messaging API, used wherever a caller lacks a scope. */
export const FORBIDDEN_BODY = envelope('FORBIDDEN', 'Forbidden');

export function sendError(reply: FastifyReply, code: ErrorCode, text: string, details?: unknown): FastifyReply {
  return reply.code(errorStatus[code]).type('application/json; charset=utf-8').send(envelope(code, text, details));
}

/**
 * RFC 6750 §3: no credentials → a bare challenge; bad credentials → `invalid_token`;
 * missing permission → `insufficient_scope` with the scopes that would have sufficed.
 */
export function bearerChallenge(
  kind: 'missing' | 'invalid_token' | 'insufficient_scope' | 'invalid_request',
  scopes: readonly string[] = [],
): string {
  const realm = 'realm="tessera"';
  if (kind === 'missing') return `Bearer ${realm}`;
  if (kind === 'insufficient_scope') {
    return `Bearer ${realm}, error="insufficient_scope"${scopes.length ? `, scope="${scopes.join(' ')}"` : ''}`;
  }
  return `Bearer ${realm}, error="${kind}"`;
}
