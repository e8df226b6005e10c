// Child process for the HTTP bench: the real Tessera app (buildApp, SQLite, usage flushing on) with N warmed
// tokens. Prints one JSON line {port, secrets, createMs} on stdout, then serves until its parent goes away.
// Usage: node bench/verify-server.mjs [tokenCount]
import { buildApp } from '../dist/http/build-app.js';
import { createFixture, exitWithParent } from './lib.mjs';

const count = Number(process.argv[2] ?? 10_000);
if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new Error('tokenCount must be 1..100000');

// As in `tessera serve` (startServer): usage is flushed in the background, logger off as in the ceiling server.
const fixture = await createFixture({ count, start: true });
const app = await buildApp({ tessera: fixture.tessera });
await app.listen({ host: '127.0.0.1', port: 0 });
exitWithParent(async () => {
  await app.close();
  await fixture.close();
});
process.stdout.write(`${JSON.stringify({ port: app.server.address().port, secrets: fixture.secrets, createMs: fixture.createMs })}\n`);
