// Example: a messaging API on Express whose routes are protected by Tessera (see README "SDK and middleware").
// Run: build the SDK (npm run build), then start it with a TypeScript runner and TESSERA_URL set.
import express, { type ErrorRequestHandler } from 'express';
import type { AddressInfo } from 'node:net';
import { TesseraApiError } from '@tessera/sdk';
import { tesseraExpress, type GuardOptions } from '@tessera/sdk/express';

export function createApp(options: GuardOptions) {
  const tessera = tesseraExpress(options);
  const app = express();
  app.get('/sms/1/logs', tessera.requireScopes('sms:logs:read'), (req, res) => { res.json({ logs: [], caller: req.tessera }); });
  app.get('/sms/1/inbox/reports', tessera.requireQuery('inbound-message:read OR sms:inbound-message:read'), (req, res) => { res.json({ results: [], caller: res.locals.tessera }); });
  app.post('/sms/2/text/advanced', tessera.requireEndpoint(), (req, res) => { res.json({ sent: true, caller: req.tessera }); });
  // Tessera could not answer (down, timeout, something else at its address): nothing is let through; say so with
  // the envelope and the SDK's code (TIMEOUT, NETWORK_ERROR, UNEXPECTED_RESPONSE, SERVICE_UNAVAILABLE…).
  const onError: ErrorRequestHandler = (error, _req, res, next) => {
    if (!(error instanceof TesseraApiError)) return next(error);
    res.status(503).json({ requestError: { serviceException: { messageId: 'SERVICE_UNAVAILABLE', text: `token verification is unavailable (${error.code})` } } });
  };
  app.use(onError);
  return app;
}

/** Listens on 127.0.0.1; resolves to its URL and a way to stop it. */
export async function startExample(options: GuardOptions, port = 0) {
  const server = createApp(options).listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${bound}`, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}
