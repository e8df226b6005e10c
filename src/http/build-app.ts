/** The composition root of the HTTP server: a Fastify app over a Tessera service, not yet listening. */
import { fastifyTrustProxy } from './client-address.js';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type HTTPMethods } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Tessera } from '../service/index.js';
import { AuthorizeAnswerer } from './gateway/authorize-answer.js';
import { VerifyAnswerer } from './gateway/verify-answer.js';
import { acceptGatewayConnections, type GatewayOptions } from './gateway/gateway-server.js';
import type { GatewayKind } from './gateway/gateway-kind.js';
import { drainRefusedBodies } from './drain-refused-body.js';
import { traceRequests } from './trace-requests.js';
import { clientErrorHandler, frameworkErrors, installErrorHandler } from './error-handler.js';
import { createHttpContext } from './http-context.js';
import { logCheckSummaries } from './check-summary.js';
import { createMetrics, registerLimitCounter } from './metrics.js';
import { nextRequestId } from './request-id.js';
import { createValidatorCompiler, refuseHostileJson } from './validator-compiler.js';
import { consoleRoutes } from './console-routes.js';
import { AccountSchema, accountRoutes } from './routes/account-routes.js';
import { AuditEventSchema, auditRoutes } from './routes/audit-routes.js';
import { catalogRoutes } from './routes/catalog-routes.js';
import { gatewayRoutes } from './routes/gateway-routes.js';
import { issuedTokenRoutes } from './routes/issued-token-routes.js';
import { leakRoutes } from './routes/leak-routes.js';
import { oauthRoutes } from './routes/oauth-routes.js';
import { EndpointAuthSchema, EndpointTokenSchema, endpointRoutes } from './routes/endpoint-routes.js';
import { opsRoutes, type Readiness } from './routes/ops-routes.js';
import { tokenRoutes } from './routes/token-routes.js';
import { IdentitySchema, identityRoutes } from './routes/identity-routes.js';
import { WebhookDeliverySchema, WebhookSchema, webhookRoutes } from './routes/webhook-routes.js';
import { creditRoutes } from './routes/credit-routes.js';
import { UsageBucketSchema, UsageEventSchema, usageRoutes } from './routes/usage-routes.js';
import { VerifyResponse, verifyRoute } from './routes/verify-route.js';
import { ErrorBody, TokenView } from './schemas.js';

export interface BuildAppOptions {
  tessera: Tessera;
  logger?: Logger;
  /** Largest accepted request body, bytes. */
  bodyLimit?: number;
  /** Fastify `trustProxy`: which peers' X-Forwarded-For is believed for the client address. */
  trustProxy?: boolean | string | string[];
  /** `TESSERA_GATEWAY`: whose headers `GET /v1/authorize` reads (default nginx); `/v1/authorize/<kind>` names its own. */
  gateway?: GatewayKind;
  /** Flipped by the runtime at shutdown (/readyz then answers 503). */
  readiness?: Readiness;
  /** Set when OpenTelemetry tracing is on: a span per request, gateway connections' checks included. */
  tracer?: Tracer;
}

export const packageVersion = '0.1.0';

export type TesseraApp = ReturnType<typeof createFastify>;

export interface RouteEntry {
  method: HTTPMethods;
  url: string;
}

/** What buildApp made: the app, and what another server of it or a test needs besides. */
export interface BuiltApp {
  app: TesseraApp;
  /** How the app answers forward auth, for another server of it (the Unix socket, listen-socket.ts). */
  gateway: GatewayOptions;
  /** Every route the app registered, for tests that must reach all of them (log redaction, fuzzing). */
  routes: readonly RouteEntry[];
}

function createFastify(options: BuildAppOptions) {
  return Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    trustProxy: fastifyTrustProxy(options.trustProxy),
    genReqId: nextRequestId,
    requestIdHeader: false,
    // Fastify's two lines per request cost more than a cached check: at the default level checks leave a summary
    // line a minute and the usage record instead (check-summary.ts); at debug, every request is logged.
    logController: new LogController({ disableRequestLogging: !(options.logger?.isLevelEnabled('debug') ?? false) }),
    // Refusals made before a route runs answer in the envelope too (error-handler.ts).
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();
}

export async function buildApp(options: BuildAppOptions): Promise<BuiltApp> {
  const app = createFastify(options);
  const metrics = createMetrics();
  registerLimitCounter(metrics.registry, () => options.tessera.limitOutcomes());
  registerLimitCounter(metrics.registry, () => options.tessera.creditOutcomes(), 'tessera_credit_checks_total', 'Checks that spent credits, by outcome (passed, usage_exceeded)');
  // Gateways' forward-auth connections are served in front of the server Fastify made (not yet listening).
  const gateway: GatewayOptions = {
    answerer: new AuthorizeAnswerer(options.tessera, options.trustProxy, options.gateway ?? 'nginx'),
    verifier: new VerifyAnswerer(options.tessera, options.trustProxy, metrics, options.logger),
    bodyLimit: app.initialConfig.bodyLimit ?? 64 * 1024,
    logger: options.logger,
    tracer: options.tracer,
    metrics,
  };
  acceptGatewayConnections(app.server, gateway);
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  app.addHook('onResponse', (_request, reply, done) => {
    metrics.observeStatus(reply.statusCode);
    done();
  });
  if (options.logger) {
    const summary = logCheckSummaries(metrics, options.logger);
    app.addHook('onClose', (_app, done) => {
      summary.stop();
      done();
    });
  }
  app.addHook('preValidation', refuseHostileJson);
  installErrorHandler(app);
  drainRefusedBodies(app);
  if (options.tracer) traceRequests(app as unknown as FastifyInstance, options.tracer);

  const sharedSchemas = [ErrorBody, TokenView, VerifyResponse, AuditEventSchema, AccountSchema, UsageBucketSchema, UsageEventSchema, EndpointAuthSchema, EndpointTokenSchema, IdentitySchema, WebhookSchema, WebhookDeliverySchema];
  for (const schema of sharedSchemas) app.addSchema(schema);
  app.setValidatorCompiler(createValidatorCompiler(sharedSchemas));
  // A JSON API: text/plain bodies are refused with 415 rather than parsed.
  app.removeContentTypeParser('text/plain');

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tessera',
        version: packageVersion,
        description: 'Least-privilege access tokens for APIs: issue, verify, rotate, revoke, audit. Every error uses one envelope; see docs/errors.md.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <token>' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          basic: { type: 'http', scheme: 'basic', description: 'OAuth 2.0 client authentication: token id as client_id, secret as client_secret' },
          githubSignature: {
            type: 'apiKey', in: 'header', name: 'Github-Public-Key-Signature',
            description: 'Leak reports only: GitHub secret scanning’s ECDSA signature of the raw body, with the key named by Github-Public-Key-Identifier',
          },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const http = createHttpContext(options.tessera, metrics);
  await app.register(tokenRoutes(http));
  await app.register(verifyRoute(http));
  await app.register(auditRoutes(http));
  await app.register(accountRoutes(http));
  await app.register(catalogRoutes(http));
  await app.register(opsRoutes(http, options.readiness));
  await app.register(gatewayRoutes(gateway.answerer, metrics));
  await app.register(oauthRoutes(http));
  await app.register(issuedTokenRoutes(http));
  await app.register(consoleRoutes());
  await app.register(usageRoutes(http));
  await app.register(endpointRoutes(http));
  await app.register(leakRoutes(http));
  await app.register(identityRoutes(http));
  await app.register(webhookRoutes(http));
  await app.register(creditRoutes(http));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return { app, gateway, routes };
}
