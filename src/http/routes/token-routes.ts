/** /v1/tokens: create, list, read, edit, enable/disable, revoke, rotate, delete, bulk delete. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest } from '../../core/errors.js';
import type { HttpContext } from '../http-context.js';
import {
  CreateTokenBody,
  CreatedTokenBody,
  ErrorBody,
  ListQuery,
  TokenIdParams,
  TokenView,
  UpdateTokenBody,
  errorResponses,
  pageOf,
  security,
} from '../schemas.js';

const tags = ['tokens'];

export function tokenRoutes(http: HttpContext): FastifyPluginAsyncTypebox {
  const { tessera } = http;
  return async (app) => {
    app.post('/v1/tokens', {
      schema: {
        tags, security, summary: 'Create a token',
        description: 'Needs `tokens:create` and every permission given. The secret is in this response only.',
        body: CreateTokenBody,
        response: { 201: CreatedTokenBody, ...errorResponses },
      },
    }, async (request, reply) => {
      const actor = await http.authenticate(request);
      const created = await tessera.createToken(actor, request.body);
      reply.header('Cache-Control', 'no-store');
      return reply.code(201).send(created);
    });

    app.get('/v1/tokens', {
      schema: {
        tags, security, summary: 'List tokens',
        description: 'Active tokens by default; `status=inactive` shows disabled, revoked and expired ones.',
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('all')], { default: 'active' })),
          search: Type.Optional(Type.String({ maxLength: 200, description: 'Substring of the name, any case, or the exact token id' })),
          kind: Type.Optional(Type.Union([Type.Literal('standard'), Type.Literal('primary'), Type.Literal('secondary'), Type.Literal('all')], {
            default: 'all',
            description: '`standard`: tokens made through this API; `primary`/`secondary`: the integration platform\'s endpoint tokens, managed through their endpoints',
          })),
          identityId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only the tokens of this identity (`idn_…`)' })),
          ...ListQuery,
        }),
        response: { 200: pageOf(Type.Ref(TokenView)), ...errorResponses },
      },
    }, async (request) => tessera.listTokens(await http.authenticate(request), request.query));

    app.get('/v1/tokens/:id', {
      schema: { tags, security, summary: 'Read a token', params: TokenIdParams, response: { 200: Type.Ref(TokenView), ...errorResponses } },
    }, async (request) => tessera.getToken(await http.authenticate(request), request.params.id));

    app.patch('/v1/tokens/:id', {
      schema: {
        tags, security, summary: 'Edit a token',
        description: 'Scopes and deny only where the account policy `permissionsEditable` is true. Send `If-Match: <version>` to refuse (412) if someone else changed it first.',
        params: TokenIdParams,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        body: UpdateTokenBody,
        response: { 200: Type.Ref(TokenView), 412: Type.Ref(ErrorBody), ...errorResponses },
      },
    }, async (request) => {
      const actor = await http.authenticate(request);
      const expectedVersion = parseIfMatch(request.headers['if-match']);
      return tessera.updateToken(actor, request.params.id, { ...request.body, ...(expectedVersion === undefined ? {} : { expectedVersion }) });
    });

    for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
      app.post(`/v1/tokens/:id/${action}`, {
        schema: {
          tags, security, summary: `${action === 'enable' ? 'Enable' : 'Disable'} a token`,
          description: 'Disabling is a reversible switch; see revoke for the final one.',
          params: TokenIdParams, response: { 200: Type.Ref(TokenView), ...errorResponses },
        },
      }, async (request) => tessera.setTokenEnabled(await http.authenticate(request), request.params.id, enabled));
    }

    app.post('/v1/tokens/:id/revoke', {
      schema: {
        tags, security, summary: 'Revoke a token (final)',
        description: 'Cannot be undone. Also revokes every token this one created. Idempotent.',
        params: TokenIdParams,
        response: { 200: Type.Object({ token: Type.Ref(TokenView), cascaded: Type.Array(Type.String()) }), ...errorResponses },
      },
    }, async (request) => tessera.revokeToken(await http.authenticate(request), request.params.id));

    app.post('/v1/tokens/:id/rotate', {
      schema: {
        tags, security, summary: 'Rotate a token’s secret',
        description: 'New secret, same id and settings. The old secret keeps working for `overlapSeconds` (default 0, never past expiry).',
        params: TokenIdParams,
        body: Type.Object({ overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604800 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ token: Type.Ref(TokenView), secret: Type.String(), previousSecretExpiresAt: Type.String({ format: 'date-time' }) }),
          ...errorResponses,
        },
      },
      // The body is optional: no body means no overlap.
      preValidation: async (request) => {
        request.body ??= {};
      },
    }, async (request, reply) => {
      const rotated = await tessera.rotateToken(await http.authenticate(request), request.params.id, request.body);
      reply.header('Cache-Control', 'no-store');
      return rotated;
    });

    app.delete('/v1/tokens/:id', {
      schema: {
        tags, security, summary: 'Delete a token',
        description: 'Removes the record (prefer revoke to keep the trail) and revokes every token it made, which stay listed as revoked; JWTs it issued stop working. ' +
          'Refused with 409 when it would leave the account without a live token holding account:manage and tokens:create.',
        params: TokenIdParams, response: { 204: Type.Null(), ...errorResponses },
      },
    }, async (request, reply) => {
      await tessera.deleteTokens(await http.authenticate(request), [request.params.id]);
      return reply.code(204).send(null);
    });

    app.post('/v1/tokens/bulk-delete', {
      schema: {
        tags, security, summary: 'Delete several tokens, all or nothing',
        description: 'If any id cannot be deleted, nothing is, and the error details list the outcome per id. Tokens made by a deleted one are revoked (`cascaded`). ' +
          'Refused with 409 when it would leave the account without a live token holding account:manage and tokens:create.',
        body: Type.Object({ ids: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 1000 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            deleted: Type.Array(Type.String()),
            cascaded: Type.Array(Type.String(), { description: 'Ids of tokens made by the deleted ones, revoked with them' }),
            results: Type.Array(Type.Object({ id: Type.String(), outcome: Type.String() })),
          }),
          ...errorResponses,
        },
      },
    }, async (request) => tessera.deleteTokens(await http.authenticate(request), request.body.ids));
  };
}

export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  if (!/^\d+$/.test(value)) throw badRequest('If-Match', 'must be the token version, e.g. "3"');
  return Number(value);
}
