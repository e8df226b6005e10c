/** GET /v1/authorize[/nginx|traefik|caddy]: forward auth for nginx `auth_request`, Traefik `forwardAuth`, Caddy `forward_auth`. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { AuthorizeAnswer, AuthorizeAnswerer } from '../gateway/authorize-answer.js';
import { peerAddress } from '../client-address.js';
import { authorizePath, GATEWAY_HEADERS, GATEWAY_KINDS, type GatewayKind } from '../gateway/gateway-kind.js';
import type { Metrics } from '../metrics.js';
import { ErrorBody } from '../schemas.js';

const IdentityHeaders = {
  'X-Tessera-Token-Id': { schema: { type: 'string' }, description: 'The token (for an issued JWT: the token that issued it)' },
  'X-Tessera-Account-Id': { schema: { type: 'string' } },
  'X-Tessera-Profile-Id': {
    schema: { type: 'string' },
    description: 'The identity the token acts as; absent when it has none. Percent-encoded (UTF-8) when it holds anything but visible ASCII',
  },
};

const TOKEN_TEXT =
  'The token comes as on any call (Bearer, X-API-Key; App and `access_token` where the account enables them, the ' +
  'latter also inside the original URI). The call is checked against the catalog’s endpoints; an endpoint the ' +
  'catalog does not know is denied. The client address is read only when the direct peer is a trusted proxy ' +
  '(`TESSERA_TRUSTED_PROXIES`); a trusted gateway that names none makes a token with allowed IPs fail. ' +
  'Headers of other gateway kinds are ignored. 200 carries the identity headers; 401 and 403 carry RFC 6750 `WWW-Authenticate`.';

function kindText(kind: GatewayKind): string {
  const { method, uri, address } = GATEWAY_HEADERS[kind];
  const from = address.read === 'whole' ? `\`${address.header}\`` : `the rightmost hop of \`${address.header}\``;
  return `${kind}: the call is \`${method}\` + \`${uri}\`, the client address ${from}.`;
}

function routeSchema(kind: GatewayKind | undefined) {
  const description =
    kind === undefined
      ? `For the server’s configured gateway kind (\`TESSERA_GATEWAY\`, default nginx), read exactly as on its own path: ${GATEWAY_KINDS.map(kindText).join(' ')} ${TOKEN_TEXT}`
      : `For ${kind} (\`${GATEWAY_HEADERS[kind].directive}\`), whatever \`TESSERA_GATEWAY\` says. ${kindText(kind)} ${TOKEN_TEXT}`;
  const headerNames = kind === undefined ? GATEWAY_KINDS.map((k) => GATEWAY_HEADERS[k]) : [GATEWAY_HEADERS[kind]];
  const headers = Object.fromEntries(headerNames.flatMap((h) => [h.method, h.uri, h.address.header]).map((name) => [name.toLowerCase(), Type.Optional(Type.String())]));
  return {
    tags: ['gateway'],
    summary: kind === undefined ? 'Forward auth: may this token make this call? (the configured gateway kind)' : `Forward auth behind ${kind}`,
    description,
    headers: Type.Object(headers),
    response: {
      200: { description: 'Allowed; identity in the response headers', headers: IdentityHeaders, type: 'null' },
      400: Type.Ref(ErrorBody, { description: 'The gateway sent no original method or URI of its kind (a configuration error)' }),
      401: Type.Ref(ErrorBody, { description: 'No token, or not a live token (from this address)' }),
      403: Type.Ref(ErrorBody, { description: 'Exactly {"requestError":{"serviceException":{"messageId":"FORBIDDEN","text":"Forbidden"}}}' }),
    },
  };
}

/**
 * Plain checks on a gateway's connection are answered in front of Fastify (gateway-connection.ts); these routes take
 * the rest (a query string, a connection handed to Node's HTTP server, `inject`) and document the calls. Both answer
 * through `answerer`. The kind is in the path, which only the gateway's configuration sets, never in a header.
 */
export function gatewayRoutes(answerer: AuthorizeAnswerer, metrics: Metrics): FastifyPluginAsyncTypebox {
  return async (app) => {
    for (const kind of [undefined, ...GATEWAY_KINDS]) {
      app.get(authorizePath(kind), { schema: routeSchema(kind) }, (request, reply) => {
        const answer = answerer.answer({ headers: request.headers, query: request.query, peer: peerAddress(request), gateway: kind });
        // A synchronous handler sends and returns nothing (a returned reply would be sent twice).
        if (answer instanceof Promise) return answer.then((a) => void send(reply, a, metrics));
        return void send(reply, answer, metrics);
      });
    }
  };
}

function send(reply: FastifyReply, answer: AuthorizeAnswer, metrics: Metrics): FastifyReply {
  metrics.observeAuthorize(answer.status);
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}
