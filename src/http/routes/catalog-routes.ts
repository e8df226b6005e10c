/** /v1/catalog: the account's permission model — read, validate, apply (versioned), the tree; explain and capabilities. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest } from '../../core/errors.js';
import { parseQuery } from '../../core/catalog/index.js';
import type { ExplainCheck } from '../../core/catalog/index.js';
import type { HttpContext } from '../http-context.js';
import { ListQuery, errorResponses, pageOf, security } from '../schemas.js';

const tags = ['catalog'];

const CatalogBody = Type.Object({
  source: Type.Optional(Type.String({ maxLength: 4 * 1024 * 1024, description: 'The catalog file’s text (YAML or JSON)' })),
  format: Type.Optional(Type.Union([Type.Literal('yaml'), Type.Literal('json')], { description: 'Format of `source` (default yaml)' })),
  document: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The catalog as a JSON object, instead of `source`; at most 32 levels deep' })),
  force: Type.Optional(Type.Boolean({ description: 'Apply even if live tokens hold permissions the catalog does not declare' })),
}, { additionalProperties: false });

const Issue = Type.Object({ path: Type.String(), line: Type.Optional(Type.Integer()), message: Type.String() });

const VersionSummary = Type.Object({
  accountId: Type.String(), version: Type.Integer(), name: Type.String(), format: Type.String(),
  createdAt: Type.String({ format: 'date-time' }), createdBy: Type.Union([Type.String(), Type.Null()]),
});

const Version = Type.Object({ ...VersionSummary.properties, source: Type.String() });

const described = { description: Type.Optional(Type.String()) };
const TreePermission = Type.Object({
  scope: Type.String(), name: Type.String(), ...described,
  selected: Type.Boolean({ description: 'Listed by the selection (or one of its templates)' }),
  granted: Type.Boolean({ description: 'Granted by the selection, listed or through includes and wildcards' }),
  grant: Type.Optional(Type.Object({
    type: Type.String({ description: 'The resource type, one of `resources[].type`' }),
    id: Type.String({ description: 'One resource id, or `*` for every resource of the type' }),
    action: Type.String({ description: 'One of the type\'s actions, or `*` for every action' }),
  }, { description: 'The resource grant this scope spells by its type\'s `pattern`, when it spells one (so a client can name it in words without parsing scopes)' })),
});
const TreeGroup = Type.Object({ id: Type.String(), name: Type.String(), ...described, permissions: Type.Array(TreePermission) });
const TreeService = Type.Object({ id: Type.String(), name: Type.String(), ...described, groups: Type.Array(TreeGroup) });
const TreeTemplate = Type.Object({ id: Type.String(), name: Type.String(), ...described, scopes: Type.Array(Type.String()) });
const TreeResourceType = Type.Object({
  type: Type.String(), name: Type.String(), ...described,
  actions: Type.Array(Type.Object({ name: Type.String(), ...described })),
  pattern: Type.String({ description: 'How a grant is spelled, with `{id}` and `{action}`, e.g. `device:{id}:{action}`' }),
});
const CatalogTree = Type.Object({
  version: Type.Union([Type.Integer(), Type.Null()]),
  services: Type.Array(TreeService),
  templates: Type.Array(TreeTemplate),
  resources: Type.Array(TreeResourceType, { description: 'Resource types: a grant is one resource or all (`*`) × one action or all' }),
});

const Context = Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 200 }), { description: 'Values from the call, e.g. {"user_id":"pigeon"}, for scopes with `requires`' }));

function catalogInput(body: { source?: string; format?: 'yaml' | 'json'; document?: Record<string, unknown> }) {
  if (body.document !== undefined && body.source !== undefined) throw badRequest('document', 'send either source or document, not both');
  if (body.document !== undefined) return { source: JSON.stringify(body.document, null, 2), format: 'json' as const };
  if (body.source === undefined) throw badRequest('source', 'is required (or send document)');
  return { source: body.source, format: body.format ?? 'yaml' };
}

export function catalogRoutes(http: HttpContext): FastifyPluginAsyncTypebox {
  const { tessera } = http;
  return async (app) => {
    app.get('/v1/catalog', {
      schema: {
        tags, security, summary: 'The current catalog (or a given version)',
        querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })) }),
        response: { 200: Version, ...errorResponses },
      },
    }, async (request) => tessera.getCatalog(await http.authenticate(request), request.query.version));

    app.put('/v1/catalog', {
      schema: {
        tags, security, summary: 'Apply a new catalog version',
        description: 'Needs `catalog:write`. A catalog with any issue changes nothing (400, every issue with its path and line in details.errors). Refused with 409 when live tokens would hold permissions it does not declare, unless `force`; with 403 naming `source` when a scope includes a Tessera permission (`tokens:*`, `usage:read`…) the applying token does not hold. Generates no endpoint token: endpoints declared `auth: token` start in token mode, their primaries due.',
        body: CatalogBody,
        response: { 200: Version, ...errorResponses },
      },
    }, async (request) => tessera.applyCatalog(await http.authenticate(request), { ...catalogInput(request.body), force: request.body.force ?? false }));

    app.post('/v1/catalog/validate', {
      schema: {
        tags, security, summary: 'Validate a catalog without applying it',
        body: CatalogBody,
        response: {
          200: Type.Object({
            valid: Type.Boolean(),
            errors: Type.Array(Issue),
            tokensWithUnknownPermissions: Type.Array(Type.Object({ tokenId: Type.String(), name: Type.String(), issues: Type.Array(Issue) })),
          }),
          ...errorResponses,
        },
      },
    }, async (request) => tessera.validateCatalog(await http.authenticate(request), catalogInput(request.body)));

    app.get('/v1/catalog/versions', {
      schema: { tags, security, summary: 'Catalog versions, newest first', querystring: Type.Object({ ...ListQuery }), response: { 200: pageOf(VersionSummary), ...errorResponses } },
    }, async (request) => tessera.listCatalogVersions(await http.authenticate(request), request.query));

    app.get('/v1/catalog/tree', {
      schema: {
        tags, security, summary: 'Services → groups → permissions, with a selection marked',
        description: 'What a console needs to offer permissions: the tree, with `selected` for permissions listed by the token (`tokenId`) or the given `templates`/`scopes` and `granted` for those they imply; the permission sets; the resource types with their actions and scope pattern.',
        querystring: Type.Object({
          tokenId: Type.Optional(Type.String({ maxLength: 100 })),
          templates: Type.Optional(Type.Array(Type.String())),
          scopes: Type.Optional(Type.Array(Type.String())),
        }),
        response: { 200: CatalogTree, ...errorResponses },
      },
    }, async (request) => tessera.getCatalogTree(await http.authenticate(request), request.query));

    app.post('/v1/explain', {
      schema: {
        tags: ['verify'], security, summary: 'Explain a decision',
        description: 'For a token (by `tokenId`, or the `token` itself) and one check — `scope`, `query`, `resource` or `endpoint` — the decision and the grant that matched, or why none did.',
        body: Type.Object({
          tokenId: Type.Optional(Type.String({ maxLength: 100 })),
          token: Type.Optional(Type.String({ maxLength: 4096 })),
          scope: Type.Optional(Type.String({ maxLength: 512 })),
          query: Type.Optional(Type.String({ maxLength: 4096 })),
          resource: Type.Optional(Type.Object({ type: Type.String(), id: Type.String(), action: Type.String() }, { additionalProperties: false })),
          endpoint: Type.Optional(Type.Object({ method: Type.String(), path: Type.String() }, { additionalProperties: false })),
          context: Context,
        }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            tokenId: Type.Union([Type.String(), Type.Null()]), allowed: Type.Boolean(), reason: Type.String(),
            tokenState: Type.Optional(Type.String()),
            matchedGrant: Type.Optional(Type.Object({ required: Type.String(), scope: Type.String(), via: Type.Array(Type.String()) })),
          }),
          ...errorResponses,
        },
      },
    }, async (request) => {
      const { tokenId, token, scope, query, resource, endpoint, context } = request.body;
      if ((tokenId === undefined) === (token === undefined)) throw badRequest('tokenId', 'send exactly one of tokenId or token');
      const checks = [scope, query, resource, endpoint].filter((c) => c !== undefined).length;
      if (checks !== 1) throw badRequest('scope', 'send exactly one check: scope, query, resource or endpoint');
      if (query !== undefined) parseQueryField(query);
      const bindings = context ?? {};
      const check: ExplainCheck = scope !== undefined ? { scope, bindings }
        : query !== undefined ? { query, bindings }
          : resource !== undefined ? { resource }
            : { endpoint: endpoint!, bindings };
      return tessera.explain(await http.authenticate(request), tokenId !== undefined ? { tokenId } : { token: token! }, check);
    });

    app.get('/v1/tokens/:id/capabilities', {
      schema: {
        tags: ['tokens'], security, summary: 'What a token can use',
        description: 'Every scope and endpoint of the account’s catalog the token reaches, `full` or `partial` (for some values only).',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: {
          200: Type.Object({
            tokenId: Type.String(),
            scopes: Type.Array(Type.Object({ scope: Type.String(), access: Type.String() })),
            endpoints: Type.Array(Type.Object({ method: Type.String(), path: Type.String(), access: Type.String() })),
          }),
          ...errorResponses,
        },
      },
    }, async (request) => tessera.tokenCapabilities(await http.authenticate(request), request.params.id));
  };
}

/** Parses `query` of a verify request, naming the field on failure. */
export function parseQueryField(text: string, field = 'query') {
  const parsed = parseQuery(text);
  if (!parsed.ok) throw badRequest(field, `${parsed.message} at position ${parsed.position}`);
  return parsed.query;
}
