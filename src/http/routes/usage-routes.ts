/** /v1/usage: counts per token, endpoint, outcome and refusing limit in minute, hour or day buckets, and the raw events. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HttpContext } from '../http-context.js';
import { ListQuery, errorResponses, pageOf, security } from '../schemas.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);

const REFUSED_BY = 'What refused the checks: `token:<limit name>` (a limit of the token or of a token that made it) or `identity:<limit name>` for RATE_LIMITED, `credits` for USAGE_EXCEEDED; null for every other outcome';

export const UsageBucketSchema = Type.Object({
  bucket: Type.String({ format: 'date-time', description: 'Start of the minute, hour or day (UTC)' }),
  tokenId: Type.String(),
  endpoint: Nullable(Type.String({ description: 'Catalog endpoint, e.g. `GET /devices/{id}`; null for scope checks' })),
  outcome: Type.String({ description: 'Verify code: VALID, REVOKED, INSUFFICIENT_SCOPE, RATE_LIMITED, USAGE_EXCEEDED, …' }),
  refusedBy: Nullable(Type.String({ description: REFUSED_BY })),
  count: Type.Integer(),
}, { $id: 'UsageBucket' });

export const UsageEventSchema = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  tokenId: Type.String(),
  at: Type.String({ format: 'date-time' }),
  kind: Type.Union([Type.Literal('verify'), Type.Literal('authorize')]),
  subject: Nullable(Type.String({ description: '`METHOD /path` for an endpoint check, else the scopes asked for' })),
  outcome: Type.String(),
  clientIp: Nullable(Type.String()),
  refusedBy: Nullable(Type.String({ description: REFUSED_BY })),
  count: Type.Integer({ description: 'Identical checks (same token, kind, subject, outcome, client IP) coalesced into this event, in the same usage window as `at` (the first of them; `TESSERA_USAGE_WINDOW_SECONDS`, default 10)' }),
}, { $id: 'UsageEvent' });

const filters = {
  tokenId: Type.Optional(Type.String({ maxLength: 100 })),
  endpoint: Type.Optional(Type.String({ maxLength: 2100, description: 'Buckets: the catalog endpoint (`GET /devices/{id}`); events: the subject' })),
  outcome: Type.Optional(Type.String({ maxLength: 40 })),
  refusedBy: Type.Optional(Type.String({ maxLength: 70, description: 'Only refusals by this limit (`token:per-minute`, `identity:per-day`) or by `credits`' })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive' })),
};

export function usageRoutes(http: HttpContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/usage', {
      schema: {
        tags: ['usage'], security, summary: 'Usage counts per bucket, token, endpoint, outcome and refusing limit',
        description: 'Rolled up per token per minute by every instance; summed here per `bucket`. Needs `usage:read`, or `usage:endpoints:read` (the endpoint data viewer, e.g. through a catalog scope that includes it) with `endpoint` one of the catalog’s `auth: token` routes. Oldest bucket first.',
        querystring: Type.Object({
          ...filters,
          bucket: Type.Optional(Type.Union([Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day')], { default: 'hour' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000, default: 500 })),
          cursor: ListQuery.cursor,
        }),
        response: { 200: pageOf(Type.Ref(UsageBucketSchema)), ...errorResponses },
      },
    }, async (request) => http.tessera.listUsage(await http.authenticate(request), request.query));

    app.get('/v1/usage/events', {
      schema: {
        tags: ['usage'], security, summary: 'Raw usage events, newest first',
        description: 'Checks of known tokens, identical checks within one usage window counted into one event; a window appears once it has closed (`TESSERA_USAGE_WINDOW_SECONDS`, default 10). Kept for the retention window (`TESSERA_USAGE_RETENTION_DAYS`, default 7). Needs `usage:read`, or `usage:endpoints:read` with `endpoint` a call of one of the catalog’s `auth: token` routes.',
        querystring: Type.Object({ ...filters, ...ListQuery }),
        response: { 200: pageOf(Type.Ref(UsageEventSchema)), ...errorResponses },
      },
    }, async (request) => http.tessera.listUsageEvents(await http.authenticate(request), request.query));
  };
}
