/** TesseraApiError: the one exception every SDK failure surfaces as (the messaging API's `ApiException`). */

/**
 * Tessera's error codes (`messageId` of the envelope), plus the SDK's own for calls that got no usable answer:
 * `NETWORK_ERROR` (no response: refused, reset, DNS), `TIMEOUT` (no answer in time) and `UNEXPECTED_RESPONSE`
 * (an answer that is not Tessera's envelope, e.g. from a proxy in between).
 */
export type TesseraErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL'
  | 'SERVICE_UNAVAILABLE'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'UNEXPECTED_RESPONSE';

/** Tessera's error body: `{"requestError":{"serviceException":{"messageId","text"}}}`. */
export interface TesseraErrorEnvelope {
  requestError: { serviceException: { messageId: string; text: string; details?: unknown } };
}

/** A registry symbol, so every copy of the SDK in a process agrees on it. */
const brand = Symbol.for('@tessera/sdk.TesseraApiError');

/**
 * A call to Tessera that failed: an error answer (4xx/5xx) or no answer at all (`status` 0).
 * Messages carry Tessera's text, which never contains a secret, and never the token that was sent.
 *
 * @example
 * ```ts
 * import { createTesseraClient, TesseraApiError } from '@tessera/sdk';
 *
 * const tessera = createTesseraClient({ baseUrl: 'http://127.0.0.1:8080', token: process.env.TESSERA_TOKEN });
 * try {
 *   await tessera.POST('/v1/tokens', { body: { name: 'ci', scopes: ['orders:read'] } });
 * } catch (error) {
 *   if (error instanceof TesseraApiError && error.code === 'FORBIDDEN') {
 *     console.log(error.status, error.headers.get('www-authenticate'), error.body);
 *   } else throw error;
 * }
 * ```
 */
export class TesseraApiError extends Error {
  override readonly name = 'TesseraApiError';
  /** Marks instances across copies of the SDK (its ESM and CommonJS builds), see `Symbol.hasInstance`. */
  readonly [brand] = true;
  /** Tessera's `messageId`, or the SDK's code when there was no usable answer. */
  readonly code: TesseraErrorCode;
  /** The HTTP status; 0 when no response arrived. */
  readonly status: number;
  /** The response headers (empty when no response arrived). */
  readonly headers: Headers;
  /** The parsed JSON body (usually a {@link TesseraErrorEnvelope}), the raw text if it was not JSON, or undefined. */
  readonly body: unknown;

  constructor(init: { code: TesseraErrorCode; status: number; headers?: Headers; body?: unknown; message: string; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.headers = init.headers ?? new Headers();
    this.body = init.body;
  }

  /**
   * The error for a non-2xx response; reads the body of a clone, so the response stays readable.
   *
   * @example
   * ```ts
   * const response = await fetch(`${baseUrl}/v1/tokens`);
   * if (!response.ok) throw await TesseraApiError.fromResponse(response);
   * ```
   */
  static async fromResponse(response: Response): Promise<TesseraApiError> {
    const text = await response.clone().text().catch(() => '');
    let body: unknown = text === '' ? undefined : text;
    try {
      if (text !== '') body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    const exception = isEnvelope(body) ? body.requestError.serviceException : undefined;
    const code = exception && isKnownCode(exception.messageId) ? exception.messageId : 'UNEXPECTED_RESPONSE';
    const detail = exception ? exception.text : `HTTP ${response.status}`;
    return new TesseraApiError({ code, status: response.status, headers: response.headers, body, message: `Tessera answered ${response.status} ${code}: ${detail}` });
  }

  /**
   * The error for a 2xx answer that is not what Tessera sends (not JSON, or not the expected shape): something else
   * answered at `baseUrl`, such as a proxy's HTML page. `body` is the text, or the parsed value.
   *
   * @example
   * ```ts
   * if (typeof data?.valid !== 'boolean') throw TesseraApiError.unexpected(response, data, 'not a verify result');
   * ```
   */
  static unexpected(response: Response, body: unknown, reason: string, cause?: unknown): TesseraApiError {
    return new TesseraApiError({
      code: 'UNEXPECTED_RESPONSE',
      status: response.status,
      headers: response.headers,
      body,
      message: `Tessera answered ${response.status} UNEXPECTED_RESPONSE: ${reason}`,
      cause,
    });
  }

  /**
   * True for a TesseraApiError from any copy of the SDK: an app that `import`s it and a library that `require`s it
   * load two classes (the ESM and the CommonJS build), and `instanceof` must hold across both.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;
  }

  /**
   * The error for a call that got no response: a timeout or a network failure.
   *
   * @example
   * ```ts
   * try { await fetch(url, { signal: AbortSignal.timeout(1000) }); }
   * catch (error) { throw TesseraApiError.fromNetworkError(error); }
   * ```
   */
  static fromNetworkError(error: unknown): TesseraApiError {
    if (error instanceof TesseraApiError) return error;
    const name = error instanceof Error ? error.name : '';
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    return new TesseraApiError({
      code: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
      status: 0,
      message: timedOut ? 'Tessera did not answer in time' : `Tessera could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
}

const knownCodes: ReadonlySet<string> = new Set<TesseraErrorCode>([
  'BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PRECONDITION_FAILED', 'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE', 'TOO_MANY_REQUESTS', 'INTERNAL', 'SERVICE_UNAVAILABLE',
]);

function isKnownCode(value: string): value is TesseraErrorCode {
  return knownCodes.has(value);
}

/**
 * Is this value Tessera's error envelope?
 *
 * @example
 * ```ts
 * if (isEnvelope(error.body)) console.log(error.body.requestError.serviceException.text);
 * ```
 */
export function isEnvelope(value: unknown): value is TesseraErrorEnvelope {
  const exception = (value as { requestError?: { serviceException?: { messageId?: unknown; text?: unknown } } } | null)?.requestError?.serviceException;
  return typeof exception?.messageId === 'string' && typeof exception.text === 'string';
}
