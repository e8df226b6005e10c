/** GET /v1/authorize: forward auth for nginx `auth_request` and Traefik `forwardAuth`. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TesseraError } from '../../core/errors.js';
import type { PresentedCredential } from '../../service/authenticate.js';
import { queryToken, type AuthorizeOutcome } from '../../service/authorize-request.js';
import { clientAddress, type TrustProxy } from '../client-address.js';
import { presentedCredential } from '../credentials.js';
import { bearerChallenge, envelope, FORBIDDEN_BODY, sendError } from '../error-envelope.js';
import type { HttpContext } from '../http-context.js';
import { ErrorBody } from '../schemas.js';

const IdentityHeaders = {
  'X-Tessera-Token-Id': { schema: { type: 'string' }, description: 'The token (for an issued JWT: the token that issued it)' },
  'X-Tessera-Account-Id': { schema: { type: 'string' } },
  'X-Tessera-Profile-Id': { schema: { type: 'string' }, description: 'The identity the token acts as; absent when it has none' },
};

export function gatewayRoutes(http: HttpContext, options: { trustProxy?: TrustProxy | undefined }): FastifyPluginAsyncTypebox {
  const ipOf = clientAddress(options.trustProxy);
  return async (app) => {
    app.get('/v1/authorize', {
      schema: {
        tags: ['gateway'],
        summary: 'Forward auth: may this token make this call?',
        description:
          'For nginx `auth_request` and Traefik `forwardAuth`. The token comes as on any call (Bearer, X-API-Key; App and ' +
          '`access_token` where the account enables them, the latter also inside the original URI). The call is ' +
          '`X-Original-Method` + `X-Original-URI` (nginx) or `X-Forwarded-Method` + `X-Forwarded-Uri` (Traefik), checked ' +
          'against the catalog’s endpoints; an endpoint the catalog does not know is denied. The client address is taken ' +
          'from `X-Real-IP` / `X-Forwarded-For` only when the direct peer is a trusted proxy (`TESSERA_TRUSTED_PROXIES`). ' +
          '200 carries the identity headers; 401 and 403 carry RFC 6750 `WWW-Authenticate`.',
        headers: Type.Object({
          'x-original-method': Type.Optional(Type.String()),
          'x-original-uri': Type.Optional(Type.String()),
          'x-forwarded-method': Type.Optional(Type.String()),
          'x-forwarded-uri': Type.Optional(Type.String()),
        }),
        response: {
          200: { description: 'Allowed; identity in the response headers', headers: IdentityHeaders, type: 'null' },
          400: Type.Ref(ErrorBody, { description: 'The gateway sent no original method or URI (a configuration error)' }),
          401: Type.Ref(ErrorBody, { description: 'No token, or not a live token (from this address)' }),
          403: Type.Ref(ErrorBody, { description: 'Exactly {"requestError":{"serviceException":{"messageId":"FORBIDDEN","text":"Forbidden"}}}' }),
        },
      },
    }, (request, reply) => {
      const headers = request.headers;
      const method = header(headers['x-original-method']) ?? header(headers['x-forwarded-method']);
      const uri = header(headers['x-original-uri']) ?? header(headers['x-forwarded-uri']);
      // A synchronous handler sends and returns nothing (a returned reply would be sent twice).
      if (method === undefined) return void sendError(reply, 'BAD_REQUEST', 'X-Original-Method: is required (or X-Forwarded-Method)', { field: 'X-Original-Method' });
      if (uri === undefined) return void sendError(reply, 'BAD_REQUEST', 'X-Original-URI: is required (or X-Forwarded-Uri)', { field: 'X-Original-URI' });
      reply.header('Cache-Control', 'no-store');
      let credential: PresentedCredential | undefined;
      try {
        credential = credentialOf(request, uri);
      } catch (error) {
        // A malformed Authorization header or a token in two places: a 401 the gateway can pass on (a 400 would be its 500).
        const text = error instanceof TesseraError ? error.message : 'the token is not valid';
        return void unauthorized(reply, true, text);
      }
      const outcome = http.tessera.authorize({ credential, method, uri, ip: ipOf(request) });
      // From memory (the usual case) the answer goes out without a promise or a tick.
      if (outcome instanceof Promise) return outcome.then((o) => void answer(reply, o));
      return void answer(reply, outcome);
    });
  };
}

function answer(reply: FastifyReply, outcome: AuthorizeOutcome): FastifyReply {
  if (outcome.allowed) {
    const { token } = outcome;
    reply.header('X-Tessera-Token-Id', token.id).header('X-Tessera-Account-Id', token.accountId);
    if (token.profileId !== null) reply.header('X-Tessera-Profile-Id', token.profileId);
    return reply.code(200).send();
  }
  if (outcome.status === 403) return forbidden(reply, outcome.requiredAnyOf);
  return unauthorized(reply, outcome.presented, outcome.text);
}

function header(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

/** As on any call, plus `access_token` inside the original URI: a gateway forwards the URI, not its parameters. */
function credentialOf(request: FastifyRequest, uri: string): PresentedCredential | undefined {
  const direct = presentedCredential(request);
  if (direct) return direct;
  const fromUri = queryToken(uri);
  return fromUri === undefined ? undefined : { scheme: 'query', secret: fromUri };
}

function unauthorized(reply: FastifyReply, presented: boolean, text: string): FastifyReply {
  return reply
    .code(401)
    .header('WWW-Authenticate', bearerChallenge(presented ? 'invalid_token' : 'missing'))
    .type('application/json; charset=utf-8')
    .send(envelope('UNAUTHORIZED', text));
}

function forbidden(reply: FastifyReply, scopes: readonly string[]): FastifyReply {
  return reply
    .code(403)
    .header('WWW-Authenticate', bearerChallenge('insufficient_scope', scopes))
    .type('application/json; charset=utf-8')
    .send(FORBIDDEN_BODY);
}
