/** The integration platform's endpoint tokens: /v1/endpoints (auth, primaries, the Tokens tab) and /v1/endpoint-tokens (secondaries). */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HttpContext } from '../http-context.js';
import { ListQuery, TokenIdParams, TokenView, errorResponses, pageOf, security } from '../schemas.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);
const Mode = Type.Union([Type.Literal('none'), Type.Literal('token'), Type.Literal('internal')], {
  description: '`token` (the default of an endpoint declared `auth: token`): primary and secondary tokens; `internal`: only its primary tokens; `none`: no endpoint tokens (primaries revoked)',
});
const Method = Type.Union([Type.Literal('POST'), Type.Literal('GET'), Type.Literal('DELETE')]);
const EndpointParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100, description: 'The endpoint id: the resource id of its scopes (`orders` of `endpoint:orders:POST`)' }) });

export const EndpointAuthSchema = Type.Object({
  id: Type.String(),
  mode: Mode,
  allowDelete: Type.Boolean({ description: 'Whether a DELETE primary token exists' }),
  routes: Type.Array(Type.String(), { description: 'Catalog routes of the endpoint (`POST /api/endpoints/orders`): the `endpoint` filter of /v1/usage' }),
  primaries: Type.Array(Type.Object({ method: Type.String(), scope: Type.String(), token: Type.Ref(TokenView) })),
  primariesPending: Type.Array(Type.String(), {
    description: 'Methods whose primary token is due but not generated yet (an endpoint declared `auth: token` starts in token mode; '
      + 'its primaries are generated, secrets shown once, by the next PUT of its auth by a manager holding their scopes)',
  }),
  updatedAt: Nullable(Type.String({ format: 'date-time' })),
}, { $id: 'EndpointAuth' });

export const EndpointTokenSchema = Type.Object({
  token: Type.Ref(TokenView),
  assignments: Type.Array(Type.Object({
    endpoint: Type.String(),
    method: Type.String(),
    active: Type.Boolean({ description: 'Grants now: the endpoint is in token mode and the method has a primary' }),
  })),
}, { $id: 'EndpointToken' });

const Assignment = Type.Object({ endpoint: Type.String({ minLength: 1, maxLength: 100 }), method: Method }, { additionalProperties: false });
const Assignments = Type.Array(Assignment, { maxItems: 200 });
const tags = ['endpoint tokens'];

export function endpointRoutes(http: HttpContext): FastifyPluginAsyncTypebox {
  const { tessera } = http;
  return async (app) => {
    app.get('/v1/endpoints', {
      schema: {
        tags, security, summary: 'List token-authenticated endpoints',
        description: 'Every catalog endpoint declared `auth: token`, with its mode and primaries. An endpoint never configured is in `token` mode, as the catalog declares. Needs `endpoints:manage`.',
        response: { 200: Type.Object({ items: Type.Array(Type.Ref(EndpointAuthSchema)) }), ...errorResponses },
      },
    }, async (request) => tessera.listEndpoints(await http.authenticate(request)));

    app.get('/v1/endpoints/:id/auth', {
      schema: { tags, security, summary: 'Read an endpoint’s authentication and primary tokens', params: EndpointParams, response: { 200: Type.Ref(EndpointAuthSchema), ...errorResponses } },
    }, async (request) => tessera.getEndpointAuth(await http.authenticate(request), request.params.id));

    app.put('/v1/endpoints/:id/auth', {
      schema: {
        tags, security, summary: 'Set an endpoint’s authentication',
        description: 'Any change (even `{}`) generates the primary tokens that are due and missing: POST and GET while `token` (or `internal`) is on — the catalog’s default — and DELETE where `allowDelete`; '
          + 'their secrets are in `generated`, in this response only. Turning deleting off revokes the DELETE primary; `none` revokes all. '
          + 'Needs `endpoints:manage` and the primaries’ scopes. Audited as `endpoint.auth`.',
        params: EndpointParams,
        body: Type.Object({ mode: Type.Optional(Mode), allowDelete: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: {
          200: Type.Intersect([
            Type.Ref(EndpointAuthSchema),
            Type.Object({ generated: Type.Array(Type.Object({ method: Type.String(), tokenId: Type.String(), secret: Type.String({ description: 'Shown once' }) })) }),
          ]),
          ...errorResponses,
        },
      },
    }, async (request, reply) => {
      const result = await tessera.setEndpointAuth(await http.authenticate(request), request.params.id, request.body);
      reply.header('Cache-Control', 'no-store');
      return result;
    });

    app.post('/v1/endpoints/:id/primary-tokens/:method/regenerate', {
      schema: {
        tags, security, summary: 'Regenerate a primary token',
        description: 'A new secret, shown once; the old one stops at once, or after `overlapSeconds`. Audited as `token.rotate`.',
        params: Type.Object({ id: EndpointParams.properties.id, method: Method }),
        body: Type.Object({ overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604800 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ method: Type.String(), token: Type.Ref(TokenView), secret: Type.String(), previousSecretExpiresAt: Type.String({ format: 'date-time' }) }),
          ...errorResponses,
        },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    }, async (request, reply) => {
      const result = await tessera.regeneratePrimary(await http.authenticate(request), request.params.id, request.params.method, request.body);
      reply.header('Cache-Control', 'no-store');
      return result;
    });

    app.get('/v1/endpoints/:id/tokens', {
      schema: {
        tags, security, summary: 'Secondary tokens of an endpoint',
        description: '`assigned=true` (default, "hide unassigned"): those assigned to this endpoint; `false`: the others; `all`: every one. `status` defaults to all.',
        params: EndpointParams,
        querystring: Type.Object({
          assigned: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('all')], { default: 'true' })),
          status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('all')], { default: 'all' })),
          ...ListQuery,
        }),
        response: { 200: pageOf(Type.Ref(EndpointTokenSchema)), ...errorResponses },
      },
    }, async (request) => tessera.listTokensOfEndpoint(await http.authenticate(request), request.params.id, request.query));

    app.post('/v1/endpoint-tokens', {
      schema: {
        tags, security, summary: 'Create a secondary endpoint token',
        description: 'One per application is the intent. Its scopes are those of the primaries it is assigned to. The secret is in this response only.',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 200, description: 'Name it after the application' }),
          description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
          enabled: Type.Optional(Type.Boolean()),
          assignments: Type.Optional(Assignments),
        }, { additionalProperties: false }),
        response: { 201: Type.Object({ token: Type.Ref(EndpointTokenSchema), secret: Type.String({ description: 'Shown once' }) }), ...errorResponses },
      },
    }, async (request, reply) => {
      const created = await tessera.createEndpointToken(await http.authenticate(request), request.body);
      reply.header('Cache-Control', 'no-store');
      return reply.code(201).send(created);
    });

    app.get('/v1/endpoint-tokens', {
      schema: {
        tags, security, summary: 'List secondary endpoint tokens',
        description: 'Active ones by default; `status=inactive` shows the deactivated (disabled, revoked, expired).',
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('all')], { default: 'active' })),
          ...ListQuery,
        }),
        response: { 200: pageOf(Type.Ref(EndpointTokenSchema)), ...errorResponses },
      },
    }, async (request) => tessera.listEndpointTokens(await http.authenticate(request), request.query));

    app.get('/v1/endpoint-tokens/:id', {
      schema: { tags, security, summary: 'Read a secondary endpoint token and its assignments', params: TokenIdParams, response: { 200: Type.Ref(EndpointTokenSchema), ...errorResponses } },
    }, async (request) => tessera.getEndpointToken(await http.authenticate(request), request.params.id));

    for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
      app.post(`/v1/endpoint-tokens/:id/${action}`, {
        schema: {
          tags, security, summary: `${enabled ? 'Activate' : 'Deactivate'} a secondary endpoint token`,
          description: 'Switches one integration on or off without touching the others on the same endpoint.',
          params: TokenIdParams, response: { 200: Type.Ref(EndpointTokenSchema), ...errorResponses },
        },
      }, async (request) => tessera.setEndpointTokenEnabled(await http.authenticate(request), request.params.id, enabled));
    }

    app.put('/v1/endpoint-tokens/:id/assignments', {
      schema: {
        tags, security, summary: 'Replace a secondary token’s assignments',
        description: 'Each names a primary (endpoint + method) that must exist. The token’s scopes follow; allowed whatever `permissionsEditable` says. Audited as `endpoint.assign`.',
        params: TokenIdParams,
        body: Type.Object({ assignments: Assignments }, { additionalProperties: false }),
        response: { 200: Type.Ref(EndpointTokenSchema), ...errorResponses },
      },
    }, async (request) => tessera.setAssignments(await http.authenticate(request), request.params.id, request.body.assignments));
  };
}
