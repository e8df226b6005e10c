import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { ENABLE_POSTGRES_MESSAGE, postgresAvailable, requestedStores } from './src/testing/test-stores.js';

/** Pure code, the store suites (which run every backend themselves) and the store-free SDK suites run once. */
const unit = ['src/core/**/*.test.ts', 'src/store/**/*.test.ts', 'sdk/test/packaging.test.ts', 'sdk/test/failures.test.ts'];
/** Everything that goes through a database runs once per backend: the server's tests, the SDK's and the console's. */
const perStore = ['src/**/*.test.ts', 'sdk/test/**/*.test.ts', 'console/test/**/*.test.ts'];
/**
 * SQLite only: the browser suites drive the UI, not the backend (and a browser per backend doubles their time); the
 * start-up test is about database files.
 */
const sqliteOnly = ['**/*.browser.test.ts', 'src/runtime/startup-errors.test.ts', 'src/runtime/soak.test.ts'];
/** Several instances sharing one database, and database outages: PostgreSQL's deployment story only. */
const postgresOnly = [
  'src/runtime/instances.test.ts',
  'src/runtime/leak-instances.test.ts',
  'src/runtime/outage.test.ts',
  'src/runtime/concurrent-toggles.test.ts',
  'src/service/invalidation/two-instances.test.ts',
  'src/runtime/webhook-instances.test.ts',
  'src/runtime/credits-instances.test.ts',
  'src/runtime/rate-limits-instances.test.ts',
];

const stores = requestedStores();
if (stores.includes('postgres') && !postgresAvailable()) {
  if (process.env.CI === 'true') throw new Error('PostgreSQL is required in CI: apt-get install -y postgresql');
  console.warn(ENABLE_POSTGRES_MESSAGE);
}
const enabled = stores.filter((s) => s === 'sqlite' || postgresAvailable());

const projects: TestProjectInlineConfiguration[] = [
  { extends: true, test: { name: 'unit', include: unit } },
  ...enabled.map((store) => ({
    extends: true,
    test: {
      name: store,
      include: perStore,
      exclude: store === 'postgres' ? [...unit, ...sqliteOnly] : [...unit, ...postgresOnly],
      env: { TESSERA_TEST_STORE: store },
      ...(store === 'postgres' ? { globalSetup: ['src/testing/postgres-global-setup.ts'] } : {}),
    },
  })),
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects,
  },
});
