/** The one error type of Tessera: a closed set of stable codes, each with one HTTP status. */

export const errorStatus = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  REQUEST_TIMEOUT: 408,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  /** A check refused by one of the token's (or its identity's) rate limits (docs/limits.md). */
  RATE_LIMITED: 429,
  /** A check refused because the token (or its identity, or a token that made it) has fewer credits left than its cost. */
  USAGE_EXCEEDED: 429,
  REQUEST_HEADER_FIELDS_TOO_LARGE: 431,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatus;

export interface TesseraErrorOptions {
  /** The request field at fault, e.g. `expiresAt` or `scopes[2]`; named in the message for 400s. */
  field?: string;
  /** For INSUFFICIENT scope 403s: the scopes that would have granted access (RFC 6750 `scope`). */
  requiredScopes?: string[];
  /** Per-item report, e.g. for bulk operations. */
  details?: unknown;
}

/**
 * An error the caller can act on. Messages are written for the caller and never contain a secret.
 * Unexpected failures are not TesseraErrors: the HTTP layer logs them and answers 500 without detail.
 */
export class TesseraError extends Error {
  override readonly name = 'TesseraError';
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly requiredScopes: string[] | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: TesseraErrorOptions = {}) {
    super(message);
    this.code = code;
    this.field = options.field;
    this.requiredScopes = options.requiredScopes;
    this.details = options.details;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

/** A 400 that names the field at fault: `"<field>: <problem>"`. */
export function badRequest(field: string, problem: string): TesseraError {
  return new TesseraError('BAD_REQUEST', `${field}: ${problem}`, { field });
}

export function notFound(what: string): TesseraError {
  return new TesseraError('NOT_FOUND', `${what} not found`);
}
