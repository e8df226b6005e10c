/** Migration 0012 on a database written by the release before it: usage roll-ups and events keep their counts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sqliteBefore } from '../../testing/sqlite-before.js';
import { createSqliteStore } from './sqlite-store.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-0012-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('rebuilds the minute roll-ups with the refusing limit in their key, every count kept, and adds to them after', async () => {
  const filename = join(root, 'old.db');
  const { database, close } = await sqliteBefore(filename, '0012');
  const minute = '2026-06-01T12:00:00.000Z';
  database.prepare(`insert into usage_minutes (account_id, token_id, minute, outcome, endpoint, count) values ('acc_1', 'tok_1', ?, 'VALID', '', 7), ('acc_1', 'tok_1', ?, 'RATE_LIMITED', 'GET /a', 2)`).run(minute, minute);
  database.prepare(`insert into usage_events (id, account_id, token_id, at, kind, subject, outcome, client_ip, count) values ('use_1', 'acc_1', 'tok_1', ?, 'verify', null, 'VALID', null, 7)`).run(minute);
  await close();

  const store = await createSqliteStore({ filename });
  await store.migrate();
  const account = { accountId: 'acc_1' as never, bucket: 'minute' as const, limit: 10 };
  expect((await store.listUsageBuckets(account)).items.map((b) => [b.outcome, b.endpoint, b.refusedBy, b.count])).toEqual([
    ['VALID', null, null, 7], ['RATE_LIMITED', 'GET /a', null, 2],
  ]);
  expect((await store.listUsageEvents({ accountId: 'acc_1' as never, limit: 10 })).items).toMatchObject([{ id: 'use_1', refusedBy: null, count: 7 }]);
  const refused = { accountId: 'acc_1' as never, tokenId: 'tok_1' as never, minute, outcome: 'RATE_LIMITED', endpoint: 'GET /a' };
  await store.writeUsage({ counters: [], events: [], minutes: [{ ...refused, refusedBy: null, count: 1 }, { ...refused, refusedBy: 'token:per-minute', count: 3 }] });
  expect((await store.listUsageBuckets(account)).items.map((b) => [b.outcome, b.refusedBy, b.count])).toEqual([
    ['VALID', null, 7], ['RATE_LIMITED', null, 3], ['RATE_LIMITED', 'token:per-minute', 3],
  ]);
  await store.close();
});
