/** Usage: counters on the token, raw events, per-minute roll-ups that every instance adds to, and their reads. */
import { sql } from 'kysely';
import type { AccountId, TokenId } from '../../core/types.js';
import type { StoreOps, UsageBatch, UsageBucketSize, UsageDelta, UsageEventRecord, UsageFilter, UsageMinuteDelta } from '../store.js';
import { decodeOffsetCursor, decodeUsageEventCursor, encodeOffsetCursor, encodeUsageEventCursor } from './cursor.js';
import { checkLimit, inTransaction, type Db } from './db-helpers.js';
import type { DialectHooks } from './dialect-hooks.js';
import { runSliced } from './run-sliced.js';

type UsageOps = Pick<StoreOps, 'applyUsage' | 'writeUsage' | 'listUsageEvents' | 'listUsageBuckets' | 'deleteUsageEventsBefore'>;

/** Rows per multi-row insert: 8 parameters each, under SQLite's 32,766 and PostgreSQL's 65,535 bound-parameter limits. */
const INSERT_CHUNK = 2000;
/** Tokens per counter update (four parameters each). */
const COUNTER_CHUNK = 500;

/** Characters of the stored minute that name each bucket, and what completes them to a timestamp. */
const bucketShape = {
  minute: { length: 16, suffix: ':00.000Z' },
  hour: { length: 13, suffix: ':00:00.000Z' },
  day: { length: 10, suffix: 'T00:00:00.000Z' },
} as const satisfies Record<UsageBucketSize, { length: number; suffix: string }>;

const byKey = <T>(key: (item: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * Adds counts and moves `last_used_at` forward, one `UPDATE … FROM (VALUES …)` per chunk of rows rather than
 * one statement per token (a flush after a busy second touches thousands of tokens). Rows go in key order, so
 * two instances flushing overlapping batches usually queue rather than deadlock; a deadlock PostgreSQL still
 * detects aborts the flush, which the recorder retries with nothing lost.
 */
async function applyCounters(db: Db, deltas: UsageDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  // An UPDATE … FROM applies one VALUES row per target row: sum duplicates of a token first.
  const merged = new Map<string, UsageDelta>();
  for (const d of deltas) {
    const key = `${d.accountId}\u0000${d.tokenId}`;
    const current = merged.get(key);
    if (!current) merged.set(key, { ...d });
    else {
      current.count += d.count;
      if (d.lastUsedAt > current.lastUsedAt) current.lastUsedAt = d.lastUsedAt;
    }
  }
  const sorted = [...merged.entries()].sort(byKey(([key]) => key)).map(([, d]) => d);
  await inTransaction(db, async (trx) => {
    for (let i = 0; i < sorted.length; i += COUNTER_CHUNK) {
      const rows = sorted
        .slice(i, i + COUNTER_CHUNK)
        .map((d) => sql`(${d.accountId}, ${d.tokenId}, cast(${d.count} as integer), ${d.lastUsedAt})`);
      // VALUES columns are column1…column4 on both databases. CASE rather than max()/greatest(): the same
      // text on both, NULL-safe, and a batch flushed late never moves `last_used_at` backward.
      await sql`update tokens
        set use_count = tokens.use_count + v.column3,
            last_used_at = case when tokens.last_used_at is null or tokens.last_used_at < v.column4
                                then v.column4 else tokens.last_used_at end
        from (values ${sql.join(rows)}) as v
        where tokens.account_id = v.column1 and tokens.id = v.column2`.execute(trx);
    }
  });
}

/** Sums duplicates (one statement may not upsert a key twice on PostgreSQL) and sorts by key (no deadlocks). */
function mergeMinutes(minutes: UsageMinuteDelta[]) {
  const merged = new Map<string, { account_id: string; token_id: string; minute: string; outcome: string; endpoint: string; refused_by: string; count: number }>();
  for (const m of minutes) {
    const endpoint = m.endpoint ?? '';
    const refusedBy = m.refusedBy ?? '';
    const key = [m.accountId, m.tokenId, m.minute, m.outcome, endpoint, refusedBy].join('\u0000');
    const row = merged.get(key);
    if (row) row.count += m.count;
    else merged.set(key, { account_id: m.accountId, token_id: m.tokenId, minute: m.minute, outcome: m.outcome, endpoint, refused_by: refusedBy, count: m.count });
  }
  return [...merged.entries()].sort(byKey(([key]) => key)).map(([, row]) => row);
}

async function addMinutes(trx: Db, minutes: UsageMinuteDelta[]): Promise<void> {
  const rows = mergeMinutes(minutes);
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await trx
      .insertInto('usage_minutes')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) =>
        oc
          .columns(['account_id', 'token_id', 'minute', 'outcome', 'endpoint', 'refused_by'])
          .doUpdateSet((eb) => ({ count: eb('usage_minutes.count', '+', eb.ref('excluded.count')) })),
      )
      .execute();
  }
}

async function insertEvents(trx: Db, events: UsageEventRecord[]): Promise<void> {
  for (let i = 0; i < events.length; i += INSERT_CHUNK) {
    await trx
      .insertInto('usage_events')
      .values(
        events.slice(i, i + INSERT_CHUNK).map((e) => ({
          id: e.id,
          account_id: e.accountId,
          token_id: e.tokenId,
          at: e.at,
          kind: e.kind,
          subject: e.subject,
          outcome: e.outcome,
          client_ip: e.clientIp,
          count: e.count,
          refused_by: e.refusedBy ?? '',
        })),
      )
      .execute();
  }
}

/** The start of the minute holding `at` (an ISO timestamp), so a `from` inside a minute still includes it. */
function minuteOf(at: string): string {
  return `${at.slice(0, 16)}:00.000Z`;
}

/** The usage flush as three per-row statements, for backends that prepare once and run per row (SQLite). */
async function writeUsagePerRow(runPerRow: NonNullable<DialectHooks['runPerRow']>, batch: UsageBatch): Promise<void> {
  await runSliced(
    runPerRow,
    `update tokens set use_count = use_count + ?,
       last_used_at = case when last_used_at is null or last_used_at < ? then ? else last_used_at end
     where account_id = ? and id = ?`,
    batch.counters,
    (d) => [d.count, d.lastUsedAt, d.lastUsedAt, d.accountId, d.tokenId],
  );
  await runSliced(
    runPerRow,
    'insert into usage_events (id, account_id, token_id, at, kind, subject, outcome, client_ip, count, refused_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    batch.events,
    (e) => [e.id, e.accountId, e.tokenId, e.at, e.kind, e.subject, e.outcome, e.clientIp, e.count, e.refusedBy ?? ''],
  );
  await runSliced(
    runPerRow,
    `insert into usage_minutes (account_id, token_id, minute, outcome, endpoint, refused_by, count) values (?, ?, ?, ?, ?, ?, ?)
     on conflict (account_id, token_id, minute, outcome, endpoint, refused_by) do update set count = usage_minutes.count + excluded.count`,
    batch.minutes,
    (m) => [m.accountId, m.tokenId, m.minute, m.outcome, m.endpoint ?? '', m.refusedBy ?? '', m.count],
  );
}

export function usageOps(db: Db, hooks: DialectHooks): UsageOps {
  return {
    applyUsage: (deltas) => applyCounters(db, deltas),

    async writeUsage(batch) {
      if (batch.counters.length === 0 && batch.events.length === 0 && batch.minutes.length === 0) return;
      await inTransaction(db, async (trx) => {
        // Inside the transaction, so the per-row statements run on its connection and commit with it.
        if (hooks.runPerRow) return writeUsagePerRow(hooks.runPerRow, batch);
        await applyCounters(trx, batch.counters);
        await insertEvents(trx, batch.events);
        await addMinutes(trx, batch.minutes);
      });
    },

    async listUsageEvents(query: UsageFilter) {
      const limit = checkLimit(query.limit);
      let q = db.selectFrom('usage_events').selectAll().where('account_id', '=', query.accountId);
      if (query.tokenId !== undefined) q = q.where('token_id', '=', query.tokenId);
      if (query.endpoint !== undefined) q = q.where('subject', '=', query.endpoint);
      if (query.outcome !== undefined) q = q.where('outcome', '=', query.outcome);
      if (query.refusedBy !== undefined) q = q.where('refused_by', '=', query.refusedBy);
      if (query.from !== undefined) q = q.where('at', '>=', query.from);
      if (query.to !== undefined) q = q.where('at', '<=', query.to);
      if (query.cursor !== undefined) {
        const after = decodeUsageEventCursor(query.cursor);
        q = q.where((eb) => eb.or([eb('at', '<', after.at), eb.and([eb('at', '=', after.at), eb('id', '<', after.id)])]));
      }
      const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
      const items: UsageEventRecord[] = rows.slice(0, limit).map((row) => ({
        id: row.id,
        accountId: row.account_id as AccountId,
        tokenId: row.token_id as TokenId,
        at: row.at,
        kind: row.kind === 'authorize' ? 'authorize' : 'verify',
        subject: row.subject,
        outcome: row.outcome,
        clientIp: row.client_ip,
        refusedBy: row.refused_by === '' ? null : row.refused_by,
        count: Number(row.count),
      }));
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeUsageEventCursor({ at: last.at, id: last.id }) : null };
    },

    async listUsageBuckets(query) {
      const limit = checkLimit(query.limit);
      const offset = query.cursor === undefined ? 0 : decodeOffsetCursor(query.cursor);
      const shape = bucketShape[query.bucket];
      const bucket = sql<string>`substr(${sql.ref('minute')}, 1, ${sql.lit(shape.length)})`;
      let q = db
        .selectFrom('usage_minutes')
        .select((eb) => [bucket.as('bucket'), 'token_id', 'endpoint', 'outcome', 'refused_by', eb.fn.sum<number | string>('count').as('n')])
        .where('account_id', '=', query.accountId);
      if (query.tokenId !== undefined) q = q.where('token_id', '=', query.tokenId);
      if (query.endpoint !== undefined) q = q.where('endpoint', '=', query.endpoint);
      if (query.outcome !== undefined) q = q.where('outcome', '=', query.outcome);
      if (query.refusedBy !== undefined) q = q.where('refused_by', '=', query.refusedBy);
      if (query.from !== undefined) q = q.where('minute', '>=', minuteOf(query.from));
      if (query.to !== undefined) q = q.where('minute', '<=', query.to);
      const rows = await q
        .groupBy([bucket, 'token_id', 'endpoint', 'outcome', 'refused_by'])
        .orderBy(bucket)
        .orderBy('token_id')
        .orderBy('endpoint')
        .orderBy('outcome')
        .orderBy('refused_by')
        .limit(limit + 1)
        .offset(offset)
        .execute();
      const items = rows.slice(0, limit).map((row) => ({
        bucket: `${row.bucket}${shape.suffix}`,
        tokenId: row.token_id as TokenId,
        endpoint: row.endpoint === '' ? null : row.endpoint,
        outcome: row.outcome,
        refusedBy: row.refused_by === '' ? null : row.refused_by,
        count: Number(row.n),
      }));
      return { items, nextCursor: rows.length > limit ? encodeOffsetCursor(offset + limit) : null };
    },

    async deleteUsageEventsBefore(before) {
      const result = await db.deleteFrom('usage_events').where('at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
