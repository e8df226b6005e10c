// Example: a messaging API on Hono (Node adapter) whose routes are protected by Tessera (see README "SDK and middleware").
// Run: build the SDK (npm run build), then start it with a TypeScript runner and TESSERA_URL set.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { TesseraApiError } from '@tessera/sdk';
import { tesseraHono, type TesseraEnv, type TesseraHonoOptions } from '@tessera/sdk/hono';

export function createApp(options: TesseraHonoOptions) {
  const tessera = tesseraHono(options);
  const app = new Hono<TesseraEnv>();
  app.get('/sms/1/logs', tessera.requireScopes('sms:logs:read'), (c) => c.json({ logs: [], caller: c.get('tessera') }));
  app.get('/sms/1/inbox/reports', tessera.requireQuery('inbound-message:read OR sms:inbound-message:read'), (c) => c.json({ results: [], caller: c.get('tessera') }));
  app.post('/sms/2/text/advanced', tessera.requireEndpoint(), (c) => c.json({ sent: true, caller: c.get('tessera') }));
  // Tessera could not answer (down, timeout, something else at its address): nothing is let through; say so with
  // the envelope and the SDK's code (TIMEOUT, NETWORK_ERROR, UNEXPECTED_RESPONSE, SERVICE_UNAVAILABLE…).
  app.onError((error, c) => {
    if (!(error instanceof TesseraApiError)) throw error;
    return c.json({ requestError: { serviceException: { messageId: 'SERVICE_UNAVAILABLE', text: `token verification is unavailable (${error.code})` } } }, 503);
  });
  return app;
}

/** Listens on 127.0.0.1; resolves to its URL and a way to stop it. */
export async function startExample(options: TesseraHonoOptions, port = 0) {
  const app = createApp(options);
  const { url, server } = await new Promise<{ url: string; server: ReturnType<typeof serve> }>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, (info: AddressInfo) => resolve({ url: `http://127.0.0.1:${info.port}`, server: s }));
  });
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
