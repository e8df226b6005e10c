/** GET /v1/authorize: forward auth for nginx `auth_request` and Traefik `forwardAuth`. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { AuthorizeAnswer, AuthorizeAnswerer } from '../authorize-answer.js';
import { peerAddress } from '../client-address.js';
import { ErrorBody } from '../schemas.js';

const IdentityHeaders = {
  'X-Tessera-Token-Id': { schema: { type: 'string' }, description: 'The token (for an issued JWT: the token that issued it)' },
  'X-Tessera-Account-Id': { schema: { type: 'string' } },
  'X-Tessera-Profile-Id': {
    schema: { type: 'string' },
    description: 'The identity the token acts as; absent when it has none. Percent-encoded (UTF-8) when it holds anything but visible ASCII',
  },
};

/**
 * Plain `GET /v1/authorize` checks on a gateway's connection are answered in front of Fastify (gateway-connection.ts);
 * this route takes the rest (a query string, a connection handed to Node's HTTP server, `inject`) and documents
 * the call. Both answer through `answerer`.
 */
export function gatewayRoutes(answerer: AuthorizeAnswerer): FastifyPluginAsyncTypebox {
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
      const answer = answerer({ headers: request.headers, query: request.query, peer: peerAddress(request) });
      // A synchronous handler sends and returns nothing (a returned reply would be sent twice).
      if (answer instanceof Promise) return answer.then((a) => void send(reply, a));
      return void send(reply, answer);
    });
  };
}

function send(reply: FastifyReply, answer: AuthorizeAnswer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}
