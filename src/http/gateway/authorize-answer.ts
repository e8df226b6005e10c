/**
 * Forward auth as an HTTP answer (status, headers, body), made in one place for both ways a check arrives: on a
 * gateway's connection, in front of Fastify (gateway-connection.ts), and through the Fastify route (a query
 * string on the call, a connection handed to Node's HTTP server, `inject`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { TesseraError } from '../../core/errors.js';
import { queryToken, type AuthorizeOutcome, type PresentedCredential, type Tessera } from '../../service/index.js';
import { clientAddress, type TrustProxy } from '../client-address.js';
import { presentedCredential, type CredentialSource } from '../credentials.js';
import { bearerChallenge, envelope, FORBIDDEN_BODY } from '../error-envelope.js';
import { GATEWAY_HEADERS, GATEWAY_KINDS, type GatewayKind } from './gateway-kind.js';
import { rateLimitHeaders } from '../rate-limit-headers.js';
import { integerText } from '../../core/integer-text.js';

export interface AuthorizeCall extends CredentialSource {
  headers: IncomingHttpHeaders;
  /** The direct peer's address (`unix` over Tessera's socket). */
  peer: string;
  /**
   * The gateway kind the path names (`/v1/authorize/traefik`), set in the gateway's configuration; undefined for
   * `/v1/authorize`, which takes the server's (`TESSERA_GATEWAY`).
   */
  gateway: GatewayKind | undefined;
}

export interface AuthorizeAnswer {
  status: 200 | 400 | 401 | 403 | 429;
  headers: Record<string, string>;
  /** A JSON text (the envelope), or none for 200. */
  body: string | undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const FORBIDDEN_TEXT = JSON.stringify(FORBIDDEN_BODY);

/** Each kind's call headers, the lower-case names looked up once here rather than per check. */
const callHeaders = Object.fromEntries(
  GATEWAY_KINDS.map((kind) => {
    const { method, uri } = GATEWAY_HEADERS[kind];
    return [kind, { kind, method, uri, methodKey: method.toLowerCase(), uriKey: uri.toLowerCase() }];
  }),
) as Record<GatewayKind, { kind: GatewayKind; method: string; uri: string; methodKey: string; uriKey: string }>;

/** Answers forward-auth calls for one app: its service, its trusted proxies, its gateway kind. */
export class AuthorizeAnswerer {
  private readonly ipOf: ReturnType<typeof clientAddress>;

  /**
   * `gateway` is the server's kind, for `/v1/authorize`. Only that kind's headers are read: never the first of
   * several that happens to be present, since a gateway passes a client's own headers of other names through.
   */
  constructor(
    private readonly tessera: Tessera,
    trustProxy: TrustProxy | undefined,
    private readonly gateway: GatewayKind,
  ) {
    this.ipOf = clientAddress(trustProxy);
  }

  answer(call: AuthorizeCall): AuthorizeAnswer | Promise<AuthorizeAnswer> {
    const { headers } = call;
    const names = callHeaders[call.gateway ?? this.gateway];
    const method = header(headers[names.methodKey]);
    const uri = header(headers[names.uriKey]);
    if (method === undefined) return badRequest(`${names.method}: is required (gateway ${names.kind})`, names.method);
    if (uri === undefined) return badRequest(`${names.uri}: is required (gateway ${names.kind})`, names.uri);
    let credential: PresentedCredential | undefined;
    try {
      credential = credentialOf(call, uri);
    } catch (error) {
      // A malformed Authorization header or a token in two places: a 401 the gateway can pass on (a 400 would be its 500).
      return unauthorized(true, error instanceof TesseraError ? error.message : 'the token is not valid');
    }
    const outcome = this.tessera.authorize({ credential, method, uri, ip: this.ipOf(call.peer, headers, names.kind) });
    // From memory (the usual case) the answer is made without a promise or a tick.
    return outcome instanceof Promise ? outcome.then(answerOf) : answerOf(outcome);
  }
}

function answerOf(outcome: AuthorizeOutcome): AuthorizeAnswer {
  if (outcome.allowed) {
    const { token } = outcome;
    const headers: Record<string, string> = {
      'cache-control': 'no-store',
      'x-tessera-token-id': token.id,
      'x-tessera-account-id': token.accountId,
    };
    if (token.profileId !== null) headers['x-tessera-profile-id'] = headerText(token.profileId);
    if (outcome.identity) {
      headers['x-tessera-identity-id'] = outcome.identity.id;
      headers['x-tessera-external-id'] = headerText(outcome.identity.externalId);
    }
    if (outcome.credits) headers['x-tessera-credits-remaining'] = integerText(outcome.credits.remaining);
    return { status: 200, headers: { ...headers, ...rateLimitHeaders(outcome.ratelimits, false) }, body: undefined };
  }
  if (outcome.status === 429) {
    return {
      status: 429,
      headers: { 'cache-control': 'no-store', 'content-type': JSON_TYPE, ...rateLimitHeaders(outcome.ratelimits, true) },
      body: JSON.stringify(envelope(outcome.code, outcome.text)),
    };
  }
  if (outcome.status === 403) {
    return {
      status: 403,
      headers: { 'cache-control': 'no-store', 'content-type': JSON_TYPE, 'www-authenticate': bearerChallenge('insufficient_scope', outcome.requiredAnyOf) },
      body: FORBIDDEN_TEXT,
    };
  }
  return unauthorized(outcome.presented, outcome.text);
}

/** A value that can go out in a header as it is: HTAB and visible ASCII (no CR or LF, nothing Node would refuse). */
const SAFE_VALUE = /^[\t\x20-\x7e]*$/;

export function isSafeHeaderValue(value: string): boolean {
  return SAFE_VALUE.test(value);
}

/** A profile id is free text: one with other characters goes out percent-encoded (UTF-8), so it always fits. */
function headerText(value: string): string {
  return isSafeHeaderValue(value) ? value : encodeURIComponent(value);
}

function header(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

/** As on any call, plus `access_token` inside the original URI: a gateway forwards the URI, not its parameters. */
function credentialOf(call: AuthorizeCall, uri: string): PresentedCredential | undefined {
  const direct = presentedCredential(call);
  if (direct) return direct;
  const fromUri = queryToken(uri);
  return fromUri === undefined ? undefined : { scheme: 'query', secret: fromUri };
}

function unauthorized(presented: boolean, text: string): AuthorizeAnswer {
  return {
    status: 401,
    headers: { 'cache-control': 'no-store', 'content-type': JSON_TYPE, 'www-authenticate': bearerChallenge(presented ? 'invalid_token' : 'missing') },
    body: JSON.stringify(envelope('UNAUTHORIZED', text)),
  };
}

function badRequest(text: string, field: string): AuthorizeAnswer {
  return { status: 400, headers: { 'cache-control': 'no-store', 'content-type': JSON_TYPE }, body: JSON.stringify(envelope('BAD_REQUEST', text, { field })) };
}
