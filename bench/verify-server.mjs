// Child process for the HTTP bench: the real Tessera app (buildApp, usage flushing on) with N warmed tokens, on
// SQLite (a fresh file) or PostgreSQL (a throwaway cluster of its own, bench/pg-cluster.mjs, or DATABASE_URL).
// Prints one JSON line {backend, port, secrets, createMs} on stdout, then serves until its parent goes away; on
// PostgreSQL without PostgreSQL installed, prints {backend, skipped} and exits. On SIGUSR2 it refills its token
// cache (every entry fresh for its full lifetime) and then prints {"warm": true} (or {"warm": false, error}).
// Usage: node bench/verify-server.mjs [tokenCount] [sqlite|postgres]
import { buildApp } from '../dist/http/build-app.js';
import { createFixture, exitWithParent } from './lib.mjs';
import { startBenchPostgres } from './pg-cluster.mjs';

const count = Number(process.argv[2] ?? 10_000);
if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new Error('tokenCount must be 1..100000');
const backend = process.argv[3] ?? 'sqlite';
if (backend !== 'sqlite' && backend !== 'postgres') throw new Error('backend must be sqlite or postgres');

const cluster = backend === 'postgres' ? await startBenchPostgres() : null;
if (backend === 'postgres' && !cluster) {
  process.stdout.write(`${JSON.stringify({ backend, skipped: 'PostgreSQL not installed (apt-get install -y postgresql)' })}\n`);
  process.exit(0);
}
let fixture;
let app;
// Registered before the slow part, so that the cluster is stopped even if the parent gives up while tokens are made.
exitWithParent(async () => {
  try {
    await app?.close();
    await fixture?.close();
  } finally {
    await cluster?.stop();
  }
});
// As in `tessera serve` (startServer): usage is flushed in the background, the change feed listens (PostgreSQL),
// logger off as in the ceiling server.
try {
  // PostgreSQL commits each token durably (fsync on): on a busy machine 10,000 take well over the default minute.
  fixture = await createFixture({ count, start: true, ...(cluster ? { databaseUrl: cluster.url, maxMs: 150_000 } : {}) });
  ({ app } = await buildApp({ tessera: fixture.tessera }));
  await app.listen({ host: '127.0.0.1', port: 0 });
} catch (error) {
  await cluster?.stop();
  throw error;
}
process.on('SIGUSR2', () => {
  fixture.warm({ fresh: true }).then(
    () => process.stdout.write(`${JSON.stringify({ warm: true })}\n`),
    (error) => process.stdout.write(`${JSON.stringify({ warm: false, error: String(error) })}\n`),
  );
});
process.stdout.write(`${JSON.stringify({ backend, port: app.server.address().port, secrets: fixture.secrets, createMs: fixture.createMs })}\n`);
