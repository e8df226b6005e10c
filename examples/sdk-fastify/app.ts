// Example: a messaging API on Fastify whose routes are protected by Tessera (see README "SDK and middleware").
// Run: build the SDK (npm run build), then start it with a TypeScript runner and TESSERA_URL set.
import Fastify from 'fastify';
import { TesseraApiError } from '@tessera/sdk';
import { tesseraFastify, type GuardOptions } from '@tessera/sdk/fastify';

export function createApp(options: GuardOptions) {
  const tessera = tesseraFastify(options);
  const app = Fastify();
  // Tessera could not answer (down, timeout, something else at its address): nothing is let through; say so with
  // the envelope and the SDK's code (TIMEOUT, NETWORK_ERROR, UNEXPECTED_RESPONSE, SERVICE_UNAVAILABLE…).
  // Set it before the routes: a route keeps the error handler in force when it was loaded, so one set later (after
  // `await app.register(...)` or `await app.after()`) does not apply to it.
  app.setErrorHandler((error, _request, reply) => {
    if (!(error instanceof TesseraApiError)) return reply.send(error);
    return reply.code(503).send({ requestError: { serviceException: { messageId: 'SERVICE_UNAVAILABLE', text: `token verification is unavailable (${error.code})` } } });
  });
  app.get('/sms/1/logs', { onRequest: tessera.requireScopes('sms:logs:read') }, async (request) => ({ logs: [], caller: request.tessera }));
  app.get('/sms/1/inbox/reports', { onRequest: tessera.requireQuery('inbound-message:read OR sms:inbound-message:read') }, async (request) => ({ results: [], caller: request.tessera }));
  app.post('/sms/2/text/advanced', { onRequest: tessera.requireEndpoint() }, async (request) => ({ sent: true, caller: request.tessera }));
  return app;
}

/** Listens on 127.0.0.1; resolves to its URL and a way to stop it. */
export async function startExample(options: GuardOptions, port = 0) {
  const app = createApp(options);
  const url = await app.listen({ host: '127.0.0.1', port });
  return { url, close: () => app.close() };
}
