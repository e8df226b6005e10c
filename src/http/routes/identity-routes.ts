/** /v1/identities: the users or customers tokens belong to, with rate limits shared by all their tokens (issue 19). */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HttpContext } from '../http-context.js';
import { CreditsInput, CreditsView, errorResponses, ListQuery, Metadata, pageOf, RateLimitList, RateLimitView, security } from '../schemas.js';
import { parseIfMatch } from './token-routes.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);

export const IdentitySchema = Type.Object({
  id: Type.String({ examples: ['idn_4hF9sWq2ZrT6yLpA1cNv0b'] }),
  externalId: Type.String({ description: 'Your own id for the user or customer; unique in the account' }),
  name: Nullable(Type.String()),
  metadata: Metadata,
  limits: Type.Array(RateLimitView, { description: 'Shared by every token of the identity: each check of any of them consumes them' }),
  credits: Type.Union([CreditsView, Type.Null()], { description: 'Shared by every token of the identity: each check of any of them spends them' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  version: Type.Integer(),
}, { $id: 'Identity' });

const IdentityParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const ExternalId = Type.String({ minLength: 1, maxLength: 200 });
const Name = Type.Union([Type.String({ maxLength: 200 }), Type.Null()]);

export function identityRoutes(http: HttpContext): FastifyPluginAsyncTypebox {
  const { tessera } = http;
  return async (app) => {
    app.post('/v1/identities', {
      schema: {
        tags: ['identities'], security, summary: 'Create an identity (needs identities:write)',
        body: Type.Object({
          externalId: ExternalId,
          name: Type.Optional(Name),
          metadata: Type.Optional(Type.Union([Metadata, Type.Null()])),
          limits: Type.Optional(RateLimitList),
          credits: Type.Optional(Type.Union([CreditsInput, Type.Null()], { description: 'Credits shared by its tokens; null: none' })),
        }, { additionalProperties: false }),
        response: { 201: Type.Ref(IdentitySchema), ...errorResponses },
      },
    }, async (request, reply) => {
      const identity = await tessera.createIdentity(await http.authenticate(request), request.body);
      return reply.code(201).send(identity);
    });

    app.get('/v1/identities', {
      schema: {
        tags: ['identities'], security, summary: 'List identities, newest first (needs identities:read)',
        querystring: Type.Object({ ...ListQuery, externalId: Type.Optional(ExternalId) }),
        response: { 200: pageOf(Type.Ref(IdentitySchema)), ...errorResponses },
      },
    }, async (request) => tessera.listIdentities(await http.authenticate(request), request.query));

    app.get('/v1/identities/:id', {
      schema: {
        tags: ['identities'], security, summary: 'Show an identity (needs identities:read)', params: IdentityParams,
        response: { 200: Type.Ref(IdentitySchema), ...errorResponses },
      },
    }, async (request) => tessera.getIdentity(await http.authenticate(request), request.params.id));

    app.patch('/v1/identities/:id', {
      schema: {
        tags: ['identities'], security, summary: 'Edit an identity (needs identities:write)', params: IdentityParams,
        description: '`limits` replaces the identity’s limits. Send `If-Match: <version>` to refuse (412) if someone else changed it first.',
        body: Type.Object({
          externalId: Type.Optional(ExternalId),
          name: Type.Optional(Name),
          metadata: Type.Optional(Type.Union([Metadata, Type.Null()])),
          limits: Type.Optional(RateLimitList),
          credits: Type.Optional(Type.Union([CreditsInput, Type.Null()], { description: 'Credits shared by its tokens; null: none' })),
        }, { additionalProperties: false }),
        response: { 200: Type.Ref(IdentitySchema), ...errorResponses },
      },
    }, async (request) => {
      const expectedVersion = parseIfMatch(request.headers['if-match']);
      return tessera.updateIdentity(await http.authenticate(request), request.params.id, { ...request.body, ...(expectedVersion === undefined ? {} : { expectedVersion }) });
    });

    app.delete('/v1/identities/:id', {
      schema: {
        tags: ['identities'], security, summary: 'Delete an identity (needs identities:write)', params: IdentityParams,
        description: 'Its tokens keep working, without an identity (and without its shared limits), as in Unkey; their ids are listed.',
        response: { 200: Type.Object({ id: Type.String(), detachedTokens: Type.Array(Type.String()) }), ...errorResponses },
      },
    }, async (request) => tessera.deleteIdentity(await http.authenticate(request), request.params.id));
  };
}
