// An ES module application using the installed SDK: the client, and the Fastify hook.
import Fastify from 'fastify';
import { createTesseraClient, TesseraApiError } from '@tessera/sdk';
import { tesseraFastify } from '@tessera/sdk/fastify';

const baseUrl = process.env.TESSERA_URL;
const client = createTesseraClient({ baseUrl, token: process.env.TESSERA_TOKEN });
const { data: created } = await client.POST('/v1/tokens', { body: { name: 'esm-app', scopes: ['tokens:read'] } });
const missing = await client.GET('/v1/tokens/{id}', { params: { path: { id: 'tok_missing' } } }).catch((error) => error);

const tessera = tesseraFastify({ baseUrl });
const app = Fastify();
app.get('/orders', { onRequest: tessera.requireScopes('tokens:read') }, async (request) => ({ tokenId: request.tessera.tokenId }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const allowed = await fetch(`${url}/orders`, { headers: { authorization: `Bearer ${created.secret}` } });
const refused = await fetch(`${url}/orders`);
await app.close();

const error = { isTesseraApiError: missing instanceof TesseraApiError, code: missing.code };
console.log(JSON.stringify({ tokenId: created.token.id, allowed: { status: allowed.status, body: await allowed.json() }, refused: refused.status, error }));
