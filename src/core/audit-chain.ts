/** Hash chain over an account's audit events: each event commits to the one before it. */
import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import type { AuditEvent } from './types.js';

export const GENESIS_HASH = '0'.repeat(64);

/** The content an event's hash commits to: everything but the hash itself. */
export function auditEventHash(event: Omit<AuditEvent, 'hash'>): string {
  const content = stringify({
    id: event.id,
    accountId: event.accountId,
    seq: event.seq,
    prevHash: event.prevHash,
    actor: event.actor,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    before: event.before ?? null,
    after: event.after ?? null,
    at: event.at,
  }) ?? '';
  return createHash('sha256').update(content).digest('hex');
}

export type AuditChainCheck =
  | { ok: true; events: number }
  | { ok: false; seq: number; problem: 'HASH_MISMATCH' | 'BROKEN_LINK' | 'GAP' | 'HEAD_MISMATCH' };

/**
 * Finds the first event that was edited (hash mismatch), removed (gap) or re-linked (broken link);
 * `head` is the last (seq, hash) recorded at append time, which catches removal of the newest events.
 */
export function checkAuditChain(
  events: readonly AuditEvent[],
  head: { seq: number; hash: string } | null,
): AuditChainCheck {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const event of events) {
    if (event.seq !== expectedSeq) return { ok: false, seq: expectedSeq, problem: 'GAP' };
    if (event.prevHash !== prevHash) return { ok: false, seq: event.seq, problem: 'BROKEN_LINK' };
    const { hash, ...rest } = event;
    if (auditEventHash(rest) !== hash) return { ok: false, seq: event.seq, problem: 'HASH_MISMATCH' };
    prevHash = hash;
    expectedSeq += 1;
  }
  const last = events.at(-1);
  const headMatches = head === null ? last === undefined : last?.seq === head.seq && last.hash === head.hash;
  if (!headMatches) return { ok: false, seq: head?.seq ?? 0, problem: 'HEAD_MISMATCH' };
  return { ok: true, events: events.length };
}
