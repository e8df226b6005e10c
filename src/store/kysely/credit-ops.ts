/** Credits (issue 19): balances on `tokens` and `identities` rows, written apart from the records. */
import { sql } from 'kysely';
import type { CreditRefill, CreditsRecord } from '../../core/credits.js';
import type { TokenId } from '../../core/types.js';
import { creditKeyOf, type CreditDelta, type CreditKey, type CreditOps } from '../credit-store.js';
import { inTransaction, type Db } from './db-helpers.js';
import type { DialectHooks } from './dialect-hooks.js';
import { runSliced } from './run-sliced.js';
import type { StoreChanges } from './store-changes.js';

/** The three credit columns of a record's row. */
export interface CreditColumns {
  credits: string | null;
  credits_remaining: number | string | null;
  credits_refilled_at: number | string | null;
}

export function creditsToColumns(credits: CreditsRecord | null): CreditColumns {
  if (credits === null) return { credits: null, credits_remaining: null, credits_refilled_at: null };
  return { credits: JSON.stringify({ refill: credits.refill, strict: credits.strict }), credits_remaining: credits.remaining, credits_refilled_at: credits.refilledAtMs };
}

export function columnsToCredits(row: CreditColumns): CreditsRecord | null {
  if (row.credits === null) return null;
  const rule = JSON.parse(row.credits) as { refill: CreditRefill | null; strict: boolean };
  // Number(): PostgreSQL's bigint comes back as a string.
  return { remaining: Number(row.credits_remaining ?? 0), refill: rule.refill, strict: rule.strict, refilledAtMs: Number(row.credits_refilled_at ?? 0) };
}

const tableOf = (key: CreditKey) => (key.holder === 'token' ? 'tokens' : 'identities');
const bigint = (value: number) => sql`cast(${value} as bigint)`;

/** The balance at the start of `periodMs`: the refill's amount when the stored balance is of an older period. */
function balanceIn(periodMs: number, refillAmount: number | null) {
  return refillAmount === null
    ? sql`credits_remaining`
    : sql`(case when credits_refilled_at < ${bigint(periodMs)} then ${bigint(refillAmount)} else credits_remaining end)`;
}

function periodAfter(periodMs: number) {
  return sql`(case when credits_refilled_at < ${bigint(periodMs)} then ${bigint(periodMs)} else credits_refilled_at end)`;
}

/**
 * The flush as one per-row statement per table in one transaction, for backends that prepare once and run per row
 * (SQLite): a statement per delta in its own transaction would be a commit each, holding the event loop (issue 17).
 * `?` 1–3: the delta's refill amount (NULL: none) and period, as in `balanceIn`.
 */
const PER_ROW_DELTA = (table: string) => `update ${table} set
    credits_remaining = (case when ? is not null and credits_refilled_at < ? then ? else credits_remaining end) - ?,
    credits_refilled_at = case when credits_refilled_at < ? then ? else credits_refilled_at end
  where account_id = ? and id = ? and credits is not null and credits_refilled_at <= ?`;

async function applyPerRow(db: Db, runPerRow: NonNullable<DialectHooks['runPerRow']>, deltas: readonly CreditDelta[]): Promise<CreditDelta[]> {
  try {
    await inTransaction(db, async () => {
      for (const holder of ['token', 'identity'] as const) {
        await runSliced(runPerRow, PER_ROW_DELTA(holder === 'token' ? 'tokens' : 'identities'), deltas.filter((d) => d.key.holder === holder), (d) => [
          d.refillAmount, d.periodMs, d.refillAmount, d.delta, d.periodMs, d.periodMs, d.key.accountId, d.key.holderId, d.periodMs,
        ]);
      }
    });
    return [];
  } catch {
    return [...deltas];
  }
}

export function creditOps(db: Db, hooks: DialectHooks, changes: StoreChanges): CreditOps {
  return {
    async setCredits(key, credits) {
      return changes.transaction(db, async (trx) => {
        const result = await trx
          .updateTable(tableOf(key))
          .set(creditsToColumns(credits))
          .where('account_id', '=', key.accountId)
          .where('id', '=', key.holderId)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) return false;
        await changes.notify(
          trx,
          key.holder === 'token' ? { accountId: key.accountId, tokenId: key.holderId as TokenId } : { accountId: key.accountId, kind: 'identity', identityId: key.holderId },
        );
        return true;
      });
    },

    async applyCreditDeltas(deltas) {
      if (deltas.length === 0) return [];
      if (hooks.runPerRow) return applyPerRow(db, hooks.runPerRow, deltas);
      const failed: CreditDelta[] = [];
      for (const d of deltas) {
        try {
          // A delta of an older period than the stored balance's was spent before that refill: it changes nothing.
          await sql`update ${sql.table(tableOf(d.key))} set
              credits_remaining = ${balanceIn(d.periodMs, d.refillAmount)} - ${bigint(d.delta)},
              credits_refilled_at = ${periodAfter(d.periodMs)}
            where account_id = ${d.key.accountId} and id = ${d.key.holderId} and credits is not null
              and credits_refilled_at <= ${bigint(d.periodMs)}`.execute(db);
        } catch {
          failed.push(d);
        }
      }
      return failed;
    },

    async consumeCredits(key, cost, periodMs, refillAmount) {
      const balance = balanceIn(periodMs, refillAmount);
      const { rows } = await sql<{ credits_remaining: number | string }>`update ${sql.table(tableOf(key))} set
          credits_remaining = ${balance} - ${bigint(cost)},
          credits_refilled_at = ${periodAfter(periodMs)}
        where account_id = ${key.accountId} and id = ${key.holderId} and credits is not null
          and ${balance} >= ${bigint(cost)}
        returning credits_remaining`.execute(db);
      if (rows[0] !== undefined) return { remaining: Number(rows[0].credits_remaining) };
      const stored = (await readCredits(db, [key])).get(creditKeyOf(key));
      const left = stored === undefined ? 0 : refillAmount !== null && stored.refilledAtMs < periodMs ? refillAmount : stored.remaining;
      return { refused: Math.max(0, left) };
    },

    readCredits: (keys) => readCredits(db, keys),

    async touchInstance(id, nowMs, sinceMs) {
      await db
        .insertInto('instances')
        .values({ id, seen_at: nowMs })
        .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: nowMs }))
        .execute();
      await db.deleteFrom('instances').where('seen_at', '<', sinceMs).execute();
      const row = await db.selectFrom('instances').select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

/** Grouped by account and holder kind, in chunks well under SQLite's bound-parameter limit. */
async function readCredits(db: Db, keys: readonly CreditKey[]): Promise<Map<string, CreditsRecord>> {
  const found = new Map<string, CreditsRecord>();
  const groups = new Map<string, CreditKey[]>();
  for (const key of keys) {
    const group = `${key.accountId}\u0000${key.holder}`;
    groups.set(group, [...(groups.get(group) ?? []), key]);
  }
  for (const group of groups.values()) {
    const { accountId, holder } = group[0]!;
    for (let i = 0; i < group.length; i += 500) {
      const ids = group.slice(i, i + 500).map((k) => k.holderId);
      const rows = await db
        .selectFrom(holder === 'token' ? 'tokens' : 'identities')
        .select(['id', 'credits', 'credits_remaining', 'credits_refilled_at'])
        .where('account_id', '=', accountId)
        .where('id', 'in', ids)
        .execute();
      for (const row of rows) {
        const credits = columnsToCredits(row);
        if (credits !== null) found.set(creditKeyOf({ accountId, holder, holderId: row.id }), credits);
      }
    }
  }
  return found;
}
