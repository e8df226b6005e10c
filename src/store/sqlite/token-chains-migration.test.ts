/** Migration 0007 on a database written by the release before it: instances, endpoint-token parents, orphans. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sqliteBefore } from '../../testing/sqlite-before.js';
import { createSqliteStore } from './sqlite-store.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-0007-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('gives every token an instance, links endpoint tokens to their creator, and revokes children of deleted tokens', async () => {
  const filename = join(root, 'old.db');
  const { database, close } = await sqliteBefore(filename, '0007');
  const insert = database.prepare(`insert into tokens (account_id, id, kind, name, name_lower, scopes, deny, templates, hint, created_at,
    updated_at, allowed_ips, enabled, use_count, created_by, parent_id, metadata, version)
    values ('acc_1', @id, @kind, @id, @id, '["a:read"]', '[]', '[]', 'tsr_x', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z',
    '[]', 1, 0, @createdBy, @parentId, '{}', 1)`);
  database.prepare(`insert into accounts (id, name, token_prefix, policy, created_at) values ('acc_1', 'a', 'tsr', '{}', '2026-01-01T00:00:00.000Z')`).run();
  insert.run({ id: 'root', kind: 'standard', createdBy: null, parentId: null });
  insert.run({ id: 'child', kind: 'standard', createdBy: 'root', parentId: 'root' });
  insert.run({ id: 'orphan', kind: 'standard', createdBy: 'gone', parentId: 'gone' });
  insert.run({ id: 'primary', kind: 'primary', createdBy: 'root', parentId: null });
  insert.run({ id: 'stray', kind: 'secondary', createdBy: 'gone', parentId: null });
  await close();

  const store = await createSqliteStore({ filename });
  await store.migrate();
  const read = async (id: string) => (await store.getToken('acc_1' as never, id as never))!;
  const tokens = await Promise.all(['root', 'child', 'orphan', 'primary', 'stray'].map(read));
  const instances = tokens.map((t) => t.instance);
  expect(new Set(instances).size).toBe(5);
  for (const instance of instances) expect(instance).toMatch(/^[0-9a-f]{32}$/);
  const [rootToken, child, orphan, primary, stray] = tokens;
  expect([rootToken!.revokedAt, child!.revokedAt, primary!.revokedAt, stray!.revokedAt]).toEqual([null, null, null, null]);
  expect(orphan!.revokedAt).not.toBeNull();
  expect(orphan!.version).toBe(2);
  expect(primary!.parentId).toBe('root');
  // A creator that no longer exists is not made a parent: the endpoint token keeps working as before.
  expect(stray!.parentId).toBeNull();
  await store.close();
});
