/** A span per check (verify, forward auth), with the decision, the token and the account, never the presented secret. */
import { SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import type { AuthorizeOutcome, Tessera, VerifyResult } from '../../service/index.js';

/**
 * Replaces `verify` and `authorize` of this Tessera with traced versions. Done here, once, when tracing is on, so
 * the service stays untouched and the untraced path is the plain one. A result from memory stays synchronous.
 */
export function traceChecks(tessera: Tessera, tracer: Tracer): void {
  const verify = tessera.verify;
  const authorize = tessera.authorize;
  tessera.verify = (input) => traced(tracer, 'tessera.check verify', 'verify', () => verify(input), verifyAttributes);
  tessera.authorize = (input) => traced(tracer, 'tessera.check authorize', 'authorize', () => authorize(input), authorizeAttributes);
}

function traced<T>(tracer: Tracer, name: string, route: string, run: () => T | Promise<T>, attributes: (result: T) => Record<string, string>): T | Promise<T> {
  const span = tracer.startSpan(name, { attributes: { 'tessera.check.route': route } });
  const end = (result: T) => {
    span.setAttributes(attributes(result));
    span.end();
    return result;
  };
  try {
    const result = run();
    return result instanceof Promise ? result.then(end, (error: unknown) => fail(span, error)) : end(result);
  } catch (error) {
    return fail(span, error);
  }
}

function fail(span: Span, error: unknown): never {
  // The error's name only: a message could quote input.
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
  span.end();
  throw error;
}

function verifyAttributes(result: VerifyResult): Record<string, string> {
  return {
    'tessera.check.code': result.code,
    ...(result.code === 'NOT_FOUND' ? {} : { 'tessera.token.id': result.token.id, 'tessera.account.id': result.token.accountId }),
  };
}

function authorizeAttributes(outcome: AuthorizeOutcome): Record<string, string> {
  if (outcome.allowed) return { 'tessera.check.code': 'VALID', 'tessera.token.id': outcome.token.id, 'tessera.account.id': outcome.token.accountId };
  return { 'tessera.check.code': outcome.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN' };
}
