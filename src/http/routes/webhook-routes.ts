/** /v1/webhooks: endpoints that receive signed lifecycle events, and their delivery logs (issue 20, docs/webhooks.md). */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HttpContext } from '../http-context.js';
import { DEFAULT_SECRET_OVERLAP_SECONDS, MAX_SECRET_OVERLAP_SECONDS, webhookEventTypes } from '../../service/index.js';
import { errorResponses, ListQuery, pageOf, security } from '../schemas.js';

const Time = Type.String({ format: 'date-time' });
const NullableTime = Type.Union([Time, Type.Null()]);

export const WebhookSchema = Type.Object({
  id: Type.String({ examples: ['whk_4hF9sWq2ZrT6yLpA1cNv0b'] }),
  url: Type.String({ description: 'Where events are POSTed' }),
  description: Type.Union([Type.String(), Type.Null()]),
  eventTypes: Type.Array(Type.String(), { description: 'Event types sent to this endpoint; ["*"]: every type' }),
  enabled: Type.Boolean({ description: 'A disabled endpoint is sent nothing, and events while it is disabled are not queued for it' }),
  createdAt: Time,
  updatedAt: Time,
  previousSecretExpiresAt: Type.Union([Time, Type.Null()], {
    description: 'After a secret rotation: until then, deliveries carry a second signature made with the previous secret',
  }),
}, { $id: 'Webhook', description: 'A webhook endpoint; its signing secret is shown only when created or rotated' });

const WebhookWithSecret = Type.Object({
  webhook: Type.Ref(WebhookSchema),
  secret: Type.String({
    description: 'The signing secret (whsec_ and base64), for the receiver’s Standard Webhooks library; shown this once, never again',
    examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  }),
});

export const WebhookDeliverySchema = Type.Object({
  id: Type.String({ description: 'The event’s id: the webhook-id header of every attempt to send it', examples: ['msg_2x8Gq0W1fZb4NcLr7Tj5Vy'] }),
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')], {
    description: 'pending: to be sent (again) at nextAttemptAt; delivered: a 2xx answer; failed: given up after the retry period',
  }),
  attempts: Type.Integer({ description: 'Attempts made so far' }),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()], { description: 'HTTP status of the last attempt; null when it got no answer' }),
  lastError: Type.Union([Type.String(), Type.Null()], { description: 'Why the last attempt failed (HTTP 500, timed out, ECONNREFUSED…)' }),
  lastAttemptAt: NullableTime,
  nextAttemptAt: Type.Union([Time, Type.Null()], { description: 'When a pending delivery is due' }),
  createdAt: Time,
}, { $id: 'WebhookDelivery' });

const WebhookParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'An absolute http:// or https:// URL', examples: ['https://hooks.example.com/tessera'] });
const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1,
  maxItems: webhookEventTypes.length + 1,
  description: `Event types to send: any of ${webhookEventTypes.join(', ')}; or ["*"] for every type`,
});
const Description = Type.Union([Type.String({ maxLength: 500 }), Type.Null()]);

export function webhookRoutes(http: HttpContext): FastifyPluginAsyncTypebox {
  const { tessera } = http;
  return async (app) => {
    app.post('/v1/webhooks', {
      schema: {
        tags: ['webhooks'], security, summary: 'Create a webhook endpoint (needs account:webhooks:write)',
        description: 'The answer carries the signing secret, once. Events are signed per Standard Webhooks (docs/webhooks.md).',
        body: Type.Object({
          url: Url,
          eventTypes: EventTypes,
          enabled: Type.Optional(Type.Boolean({ default: true })),
          description: Type.Optional(Description),
        }, { additionalProperties: false }),
        response: { 201: WebhookWithSecret, ...errorResponses },
      },
    }, async (request, reply) => reply.code(201).send(await tessera.createWebhook(await http.authenticate(request), request.body)));

    app.get('/v1/webhooks', {
      schema: {
        tags: ['webhooks'], security, summary: 'List webhook endpoints, newest first (needs account:webhooks:read)',
        querystring: Type.Object(ListQuery),
        response: { 200: pageOf(Type.Ref(WebhookSchema)), ...errorResponses },
      },
    }, async (request) => tessera.listWebhooks(await http.authenticate(request), request.query));

    app.get('/v1/webhooks/:id', {
      schema: {
        tags: ['webhooks'], security, summary: 'Show a webhook endpoint (needs account:webhooks:read)', params: WebhookParams,
        response: { 200: Type.Ref(WebhookSchema), ...errorResponses },
      },
    }, async (request) => tessera.getWebhook(await http.authenticate(request), request.params.id));

    app.patch('/v1/webhooks/:id', {
      schema: {
        tags: ['webhooks'], security, summary: 'Edit a webhook endpoint (needs account:webhooks:write)', params: WebhookParams,
        body: Type.Object({
          url: Type.Optional(Url),
          eventTypes: Type.Optional(EventTypes),
          enabled: Type.Optional(Type.Boolean()),
          description: Type.Optional(Description),
        }, { additionalProperties: false }),
        response: { 200: Type.Ref(WebhookSchema), ...errorResponses },
      },
    }, async (request) => tessera.updateWebhook(await http.authenticate(request), request.params.id, request.body));

    app.delete('/v1/webhooks/:id', {
      schema: {
        tags: ['webhooks'], security, summary: 'Delete a webhook endpoint and its delivery log (needs account:webhooks:write)', params: WebhookParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses },
      },
    }, async (request, reply) => {
      await tessera.deleteWebhook(await http.authenticate(request), request.params.id);
      return reply.code(204).send(null);
    });

    app.post('/v1/webhooks/:id/rotate-secret', {
      schema: {
        tags: ['webhooks'], security, summary: 'Give a webhook endpoint a new signing secret (needs account:webhooks:write)', params: WebhookParams,
        description: 'The previous secret keeps signing (a second v1 signature in webhook-signature) for overlapSeconds, so the receiver can switch without refusing a delivery.',
        body: Type.Optional(Type.Object({
          overlapSeconds: Type.Optional(Type.Integer({
            minimum: 0, maximum: MAX_SECRET_OVERLAP_SECONDS, default: DEFAULT_SECRET_OVERLAP_SECONDS,
            description: `How long the previous secret still signs, 0 to ${MAX_SECRET_OVERLAP_SECONDS} seconds (default one day)`,
          })),
        }, { additionalProperties: false })),
        response: { 200: WebhookWithSecret, ...errorResponses },
      },
    }, async (request) => tessera.rotateWebhookSecret(await http.authenticate(request), request.params.id, request.body ?? {}));

    app.get('/v1/webhooks/:id/deliveries', {
      schema: {
        tags: ['webhooks'], security, summary: 'The endpoint’s delivery log, newest event first (needs account:webhooks:read)', params: WebhookParams,
        querystring: Type.Object(ListQuery),
        response: { 200: pageOf(Type.Ref(WebhookDeliverySchema)), ...errorResponses },
      },
    }, async (request) => tessera.listWebhookDeliveries(await http.authenticate(request), request.params.id, request.query));

    app.post('/v1/webhooks/:id/deliveries/:deliveryId/redeliver', {
      schema: {
        tags: ['webhooks'], security, summary: 'Send an event to the endpoint again (needs account:webhooks:write)',
        description: 'The delivery becomes pending, due now, with a new retry period; it goes out with the same webhook-id.',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }), deliveryId: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 202: Type.Null({ description: 'Queued' }), ...errorResponses },
      },
    }, async (request, reply) => {
      await tessera.redeliverWebhook(await http.authenticate(request), request.params.id, request.params.deliveryId);
      return reply.code(202).send(null);
    });
  };
}
