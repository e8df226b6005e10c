/**
 * `POST /v1/verify` answered on a raw connection (gateway-connection.ts), in its plain case only: the body parsed,
 * refused and validated as the Fastify route does (the route's own schema, the same Ajv settings, the same hostile-JSON
 * rule), the check made by the route's own `verifyInput` and rendered by its `toVerifyResponse` through the route's
 * `serializeVerifyAnswer` (the same bytes as the route's serializer), so that a field the route gains flows through
 * here too. Anything else is `undefined`, decided BEFORE the check is made: the connection then hands the request to
 * Fastify, which answers it (or its error) as always, and the check is made (and counted) once.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { TesseraError, errorStatus } from '../../core/errors.js';
import { hostileJsonField } from '../../core/json-depth.js';
import type { Tessera, VerifyResult } from '../../service/index.js';
import { trustsPeer, type TrustProxy } from '../client-address.js';
import { presentedCredential } from '../credentials.js';
import { envelope } from '../error-envelope.js';
import { logUnavailableCall, tesseraErrorHeaders } from '../error-handler.js';
import type { Metrics } from '../metrics.js';
import { VerifyBody, verifyAnswerText, verifyInput } from '../routes/verify-route.js';
import { compileBodyValidator } from '../validator-compiler.js';

/** An HTTP answer for the raw connection to write (gateway-connection.ts `formatAnswer`). */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | undefined;
  /** The body's length in UTF-8 bytes, when known without measuring it. */
  bodyBytes?: number;
}

export interface VerifyCall {
  headers: IncomingHttpHeaders;
  /** The direct peer's address (`unix` over Tessera's socket). */
  peer: string;
  /** The body's bytes as latin1 text (one character per byte, as the connection holds them). */
  body: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
/**
 * Text Fastify's JSON parser (secure-json-parse) refuses or treats specially: prototype keys, written plainly or as
 * `\u` escapes, and a byte-order mark it strips. Any of them anywhere sends the request to Fastify, which answers it.
 */
const NOT_PLAIN_JSON = /__proto__|constructor|\\u|^\uFEFF/;

export class VerifyAnswerer {
  private readonly validate = compileBodyValidator(VerifyBody);
  private readonly trusted: (peer: string) => boolean;

  constructor(
    private readonly tessera: Tessera,
    trustProxy: TrustProxy | undefined,
    private readonly metrics: Pick<Metrics, 'observeVerify'>,
    private readonly logger: Logger | undefined,
  ) {
    this.trusted = trustsPeer(trustProxy);
  }

  /** The answer, or undefined for a request this path leaves to Fastify (nothing has been checked or counted then). */
  answer(call: VerifyCall): RawAnswer | Promise<RawAnswer> | undefined {
    const started = performance.now();
    // Fastify reads the client address from X-Forwarded-For of a trusted peer (proxy-addr): left to it.
    if (call.headers['x-forwarded-for'] !== undefined && this.trusted(call.peer)) return undefined;
    const text = Buffer.from(call.body, 'latin1').toString('utf8');
    if (NOT_PLAIN_JSON.test(text)) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (hostileJsonField(body) !== null || !this.validate(body)) return undefined;
    let input;
    try {
      input = verifyInput(body as Parameters<typeof verifyInput>[0], call.peer);
    } catch {
      return undefined;
    }
    const verified = this.tessera.verify(input);
    // From here the check is made: this path answers it, whatever it takes.
    if (!(verified instanceof Promise) && !this.tessera.mayRequireVerifier(verified)) return this.render(verified, started);
    return (async () => {
      try {
        const result = await verified;
        await this.tessera.requireVerifier(result, () => presentedCredential({ headers: call.headers }), call.peer);
        return this.render(result, started);
      } catch (error) {
        // A refused caller, or a store that failed: rendered as the error handler renders them (the check is made).
        if (!(error instanceof TesseraError)) throw error;
        if (error.code === 'SERVICE_UNAVAILABLE' && this.logger) logUnavailableCall(this.logger, 'POST', '/v1/verify', error);
        return refusal(error, call.headers);
      }
    })();
  }

  private render(result: VerifyResult, started: number): RawAnswer {
    this.metrics.observeVerify(result.code, (performance.now() - started) / 1000);
    const { text, bytes } = verifyAnswerText(result);
    return { status: 200, headers: { 'content-type': JSON_TYPE }, body: text, bodyBytes: bytes };
  }
}

/** A caller refused by its account's `verifyRequiresPermission`, or a store that failed, as the error handler renders it. */
function refusal(error: TesseraError, requestHeaders: IncomingHttpHeaders): RawAnswer {
  const details = error.code === 'TOO_MANY_REQUESTS' ? undefined : error.details;
  const headers = { ...tesseraErrorHeaders(error, requestHeaders), 'content-type': JSON_TYPE };
  return { status: errorStatus[error.code], headers, body: JSON.stringify(envelope(error.code, error.message, details)) };
}
