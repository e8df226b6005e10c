/** Vitest global setup of the PostgreSQL project: one throwaway cluster for every test process of the run. */
import { startPostgres } from './postgres-server.js';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.TESSERA_TEST_DATABASE_URL) return undefined;
  const server = await startPostgres({ private: true });
  if (server === null) return undefined;
  // Test processes are forked after this runs and inherit it: startPostgres() there uses this server.
  process.env.TESSERA_TEST_DATABASE_URL = server.url();
  return () => server.stop();
}
