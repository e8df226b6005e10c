/** Rate-limit windows (issue 19): one count per window, added to by every instance's background flush. */
import { sql } from 'kysely';
import { rateLimitWindowKeyOf, type RateLimitDelta, type RateLimitOps, type RateLimitWindowKey } from '../rate-limit-store.js';
import { inTransaction, type Db } from './db-helpers.js';
import type { DialectHooks } from './dialect-hooks.js';
import { runSliced } from './run-sliced.js';

const COLUMNS = ['account_id', 'holder', 'holder_id', 'name', 'duration_ms', 'window_start', 'count', 'expires_at'] as const;

/** SQLite's per-row upsert (`?` in the order of COLUMNS). */
const PER_ROW_ADD = `insert into rate_limit_windows (${COLUMNS.join(', ')}) values (?, ?, ?, ?, ?, ?, ?, ?)
  on conflict (account_id, holder, holder_id, name, duration_ms, window_start) do update set count = rate_limit_windows.count + excluded.count`;

/** Rows per multi-row statement: 8 parameters each, well under PostgreSQL's 65,535. */
const CHUNK = 500;

/** A window is read by the estimate of its own duration and of the next one: it can go once both have ended. */
const expiresAt = (key: RateLimitWindowKey) => key.startMs + 2 * key.durationMs;

const rowOf = ({ key, count }: RateLimitDelta) => ({
  account_id: key.accountId,
  holder: key.holder,
  holder_id: key.holderId,
  name: key.name,
  duration_ms: key.durationMs,
  window_start: key.startMs,
  count,
  expires_at: expiresAt(key),
});

export function rateLimitOps(db: Db, hooks: DialectHooks): RateLimitOps {
  return {
    async addRateLimitCounts(deltas) {
      if (deltas.length === 0) return [];
      const { runPerRow } = hooks;
      if (runPerRow) {
        try {
          await inTransaction(db, () =>
            runSliced(runPerRow, PER_ROW_ADD, deltas, (d) => {
              const row = rowOf(d);
              return COLUMNS.map((c) => row[c]);
            }),
          );
          return [];
        } catch {
          return [...deltas];
        }
      }
      const failed: RateLimitDelta[] = [];
      for (let i = 0; i < deltas.length; i += CHUNK) {
        const chunk = deltas.slice(i, i + CHUNK);
        try {
          await db
            .insertInto('rate_limit_windows')
            .values(chunk.map(rowOf))
            .onConflict((oc) =>
              oc.columns(['account_id', 'holder', 'holder_id', 'name', 'duration_ms', 'window_start']).doUpdateSet({ count: sql`rate_limit_windows.count + excluded.count` }),
            )
            .execute();
        } catch {
          failed.push(...chunk);
        }
      }
      return failed;
    },

    async readRateLimitCounts(keys) {
      const found = new Map<string, number>();
      const wanted = new Set(keys.map(rateLimitWindowKeyOf));
      const byAccount = new Map<string, RateLimitWindowKey[]>();
      for (const key of keys) byAccount.set(key.accountId, [...(byAccount.get(key.accountId) ?? []), key]);
      for (const [accountId, group] of byAccount) {
        const holderIds = [...new Set(group.map((k) => k.holderId))];
        const since = Math.min(...group.map((k) => k.startMs));
        for (let i = 0; i < holderIds.length; i += CHUNK) {
          // The holders' live windows (the sweep keeps them few), narrowed to the asked ones here.
          const rows = await db
            .selectFrom('rate_limit_windows')
            .select(['holder', 'holder_id', 'name', 'duration_ms', 'window_start', 'count'])
            .where('account_id', '=', accountId)
            .where('holder_id', 'in', holderIds.slice(i, i + CHUNK))
            .where('window_start', '>=', since)
            .execute();
          for (const row of rows) {
            const id = rateLimitWindowKeyOf({
              accountId: group[0]!.accountId,
              holder: row.holder as RateLimitWindowKey['holder'],
              holderId: row.holder_id,
              name: row.name,
              // Number(): PostgreSQL's bigint comes back as a string.
              durationMs: Number(row.duration_ms),
              startMs: Number(row.window_start),
            });
            if (wanted.has(id)) found.set(id, Number(row.count));
          }
        }
      }
      return found;
    },

    async sweepRateLimitWindows(nowMs) {
      const result = await db.deleteFrom('rate_limit_windows').where('expires_at', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
