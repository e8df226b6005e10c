// Child process of the SDK bench: one Fastify app with the same constant route twice, unprotected and protected by
// the SDK's requireScopes (against the Tessera at argv[2]); prints {port}. Serves until the parent goes away.
// Usage: node bench/sdk-server.mjs TESSERA_URL
import Fastify from 'fastify';
import { tesseraFastify } from '@tessera/sdk/fastify';
import { exitWithParent } from './lib.mjs';

const tessera = tesseraFastify({ baseUrl: process.argv[2] });
const app = Fastify({ logger: false });
const body = { ok: true };
app.get('/open', async () => body);
app.get('/protected', { onRequest: tessera.requireScopes('message:send') }, async () => body);
await app.listen({ host: '127.0.0.1', port: 0 });
exitWithParent(() => app.close());
process.stdout.write(`${JSON.stringify({ port: app.server.address().port })}\n`);
