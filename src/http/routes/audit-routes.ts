/** /v1/audit: the append-only trail of management actions, and a check of its hash chain. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { auditActions } from '../../core/types.js';
import type { HttpContext } from '../http-context.js';
import { ListQuery, errorResponses, pageOf, security } from '../schemas.js';


export const AuditEventSchema = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  seq: Type.Integer(),
  actor: Type.Union([Type.String(), Type.Null()], { description: 'Token id that acted; null for the CLI on the database' }),
  action: Type.Union(auditActions.map((a) => Type.Literal(a))),
  targetType: Type.String(),
  targetId: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
  at: Type.String({ format: 'date-time' }),
  prevHash: Type.String(),
  hash: Type.String(),
}, { $id: 'AuditEvent' });


export function auditRoutes(http: HttpContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/audit', {
      schema: {
        tags: ['audit'], security, summary: 'List audit events, newest first',
        querystring: Type.Object({
          tokenId: Type.Optional(Type.String({ maxLength: 100, description: 'Events where this token acted or was acted on' })),
          action: Type.Optional(Type.Union(auditActions.map((a) => Type.Literal(a)))),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          ...ListQuery,
        }),
        response: { 200: pageOf(Type.Ref(AuditEventSchema)), ...errorResponses },
      },
    }, async (request) => http.tessera.listAudit(await http.authenticate(request), request.query));

    app.get('/v1/audit/verify', {
      schema: {
        tags: ['audit'], security, summary: 'Check the audit hash chain',
        description: 'Detects an edited, removed or re-ordered event.',
        response: {
          200: Type.Object({
            ok: Type.Boolean(), events: Type.Optional(Type.Integer()), seq: Type.Optional(Type.Integer()), problem: Type.Optional(Type.String()),
          }),
          ...errorResponses,
        },
      },
    }, async (request) => http.tessera.verifyAudit(await http.authenticate(request)));
  };
}
