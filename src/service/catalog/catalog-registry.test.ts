import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountId } from '../../core/types.js';
import { createPostgresStore } from '../../store/postgres/postgres-store.js';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { freshTestDatabase } from '../../testing/test-app.js';
import { CatalogRegistry } from './catalog-registry.js';

const account = 'acc_registry' as AccountId;

describe('the catalog registry', () => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-registry-'));
    const db = await freshTestDatabase(dir);
    store = db.startsWith('postgres') ? await createPostgresStore({ url: db }) : await createSqliteStore({ filename: db });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('does not keep a catalog read before a change it heard while the read was in flight', async () => {
    const registry = new CatalogRegistry(store);
    const loading = registry.get(account);
    // The change arrives (from this store's events or another instance's) before the read answers.
    registry.invalidate(account);
    expect((await loading).version).toBeNull();
    expect(registry.peek(account)).toBeUndefined();

    await registry.get(account);
    expect(registry.peek(account)?.version).toBeNull();
  });

  it('does not keep a catalog read before every cached copy was dropped (the change feed came back)', async () => {
    const registry = new CatalogRegistry(store);
    const loading = registry.get(account);
    registry.clear();
    await loading;
    expect(registry.peek(account)).toBeUndefined();
  });
});
