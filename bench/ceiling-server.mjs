// Child process for the HTTP bench: a bare Fastify 5 with the logger off, answering POST /v1/verify with a constant
// JSON object: the VALID answer the measured server gave (argv[2]), so both bodies are the same size and shape.
// It still parses the JSON body and serialises the object on every request. Prints {port} and serves.
import Fastify from 'fastify';
import { exitWithParent } from './lib.mjs';

const answer = JSON.parse(process.argv[2] ?? 'null');
if (answer?.code !== 'VALID') throw new Error('usage: node bench/ceiling-server.mjs <a VALID verify answer as JSON>');

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
// No schema, no hooks, no work.
app.post('/v1/verify', async () => answer);
await app.listen({ host: '127.0.0.1', port: 0 });
exitWithParent(() => app.close());
process.stdout.write(`${JSON.stringify({ port: app.server.address().port })}\n`);
