/** Where a request may carry its token: Bearer and X-API-Key always; App and ?access_token= when the account allows. */
import type { IncomingHttpHeaders } from 'node:http';
import { TesseraError } from '../core/errors.js';
import type { PresentedCredential } from '../service/index.js';

/** What a request presents a token with: a Fastify request, or a plain Node one with its parsed query. */
export interface CredentialSource {
  headers: IncomingHttpHeaders;
  query?: unknown;
}

export function presentedCredential(request: CredentialSource): PresentedCredential | undefined {
  const found: PresentedCredential[] = [];
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^(Bearer|App)\s+(\S+)\s*$/i.exec(authorization);
    if (!match) {
      throw new TesseraError('UNAUTHORIZED', 'Authorization header: expected "Bearer <token>"', {
        field: 'Authorization',
      });
    }
    found.push({ scheme: match[1]!.toLowerCase() === 'app' ? 'app' : 'bearer', secret: match[2]! });
  }
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string') found.push({ scheme: 'x-api-key', secret: apiKey.trim() });
  const query = request.query as Record<string, unknown> | undefined;
  if (query && typeof query.access_token === 'string') found.push({ scheme: 'query', secret: query.access_token });
  // RFC 6750 §2: a client must not use more than one method in a request.
  if (found.length > 1) {
    throw new TesseraError('BAD_REQUEST', 'token: present the token in one place only (Authorization, X-API-Key or access_token)', {
      field: 'token',
    });
  }
  return found[0];
}

/** Strips `access_token` values from a URL before it is logged. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[REDACTED]');
}
