// Child process for the HTTP bench: a bare Fastify with Tessera's server settings and logger off, answering the
// verify route with a constant JSON body the size and shape of a real VALID answer. Prints {port} and serves.
import Fastify from 'fastify';
import { exitWithParent } from './lib.mjs';

const answer = {
  valid: true,
  code: 'VALID',
  tokenId: 'tok_0123456789abcdefghij',
  accountId: 'acc_0123456789abcdefghij',
  profileId: null,
  name: 'bench-1234',
  scopes: ['orders:read', 'orders:write', 'invoices:read'],
  expiresAt: null,
  metadata: {},
};

const app = Fastify({ logger: false, bodyLimit: 64 * 1024, trustProxy: false });
// Same JSON body parsing as the real route; no schema, no hooks, no work.
const handler = async () => answer;
app.post('/verify', handler);
app.post('/v1/verify', handler);
await app.listen({ host: '127.0.0.1', port: 0 });
exitWithParent(() => app.close());
process.stdout.write(`${JSON.stringify({ port: app.server.address().port })}\n`);
