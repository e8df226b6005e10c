// A TypeScript application (moduleResolution bundler, ES modules) using the installed SDK: the typed client, and the
// Hono middleware with `c.get('tessera')` typed.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createTesseraClient, TesseraApiError } from '@tessera/sdk';
import { tesseraHono, type TesseraEnv } from '@tessera/sdk/hono';

const baseUrl = process.env.TESSERA_URL!;
const client = createTesseraClient({ baseUrl, token: process.env.TESSERA_TOKEN });
const { data: created } = await client.POST('/v1/tokens', { body: { name: 'ts-bundler-app', scopes: ['tokens:read'] } });
const missing: unknown = await client.GET('/v1/tokens/{id}', { params: { path: { id: 'tok_missing' } } }).catch((error: unknown) => error);

const tessera = tesseraHono({ baseUrl });
const app = new Hono<TesseraEnv>();
app.get('/orders', tessera.requireScopes('tokens:read'), (c) => c.json({ tokenId: c.get('tessera').tokenId }));
const { server, url } = await new Promise<{ server: ReturnType<typeof serve>; url: string }>((resolve) => {
  const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve({ server: s, url: `http://127.0.0.1:${info.port}` }));
});
const allowed = await fetch(`${url}/orders`, { headers: { authorization: `Bearer ${created!.secret}` } });
const refused = await fetch(`${url}/orders`);
if ('closeAllConnections' in server) server.closeAllConnections();
server.close();

const error = missing instanceof TesseraApiError ? { isTesseraApiError: true, code: missing.code } : { isTesseraApiError: false };
console.log(JSON.stringify({ tokenId: created!.token.id, allowed: { status: allowed.status, body: await allowed.json() }, refused: refused.status, error }));
