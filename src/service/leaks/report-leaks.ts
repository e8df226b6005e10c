/**
 * A leak report (GitHub's secret scanning partner format): every reported string that is a live Tessera secret is
 * disabled or revoked, by its account's `leakResponse` policy, and each gets a label. Holding a secret is the right
 * to kill it (GitHub's model): a report may name any account's token, and learns about each only its label.
 */
import { redactSecrets } from '../../core/redact-secrets.js';
import { checkSecretShape, hashSecret } from '../../core/token-format.js';
import type { TokenRecord } from '../../core/types.js';
import type { StoreOps } from '../../store/store.js';
import { requirePermission, systemActor, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { emitRevoked, revokeAll } from '../tokens/revoke-token.js';
import { emitEvent } from '../webhooks/emit-event.js';
import { auditSnapshot } from '../tokens/token-view.js';

/** One match as GitHub sends it: the string found, the secret type, where it was found. */
export interface LeakReportItem {
  token: string;
  type: string;
  url?: string;
  source?: string;
}

/** GitHub's feedback format, one per reported match, in the report's order. */
export interface LeakVerdict {
  token_raw: string;
  token_type: string;
  label: 'true_positive' | 'false_positive';
}

/** Who sent the report: a scanner whose signature checked out, or a token holding `leaks:report`. */
export type LeakReporter = { kind: 'signature'; keyId: string } | { kind: 'token'; actor: Actor };

/** What the audit entry keeps of a report: where the secret was found and who said so. Never the secret. */
interface LeakNotice {
  type: string;
  url: string | null;
  source: string | null;
  reportedBy: { signatureKeyId: string } | { tokenId: string | null; accountId: string };
}

export async function reportLeaks(ctx: ServiceContext, reporter: LeakReporter, items: readonly LeakReportItem[]): Promise<LeakVerdict[]> {
  if (reporter.kind === 'token') requirePermission(reporter.actor, 'leaks:report');
  const labels = new Map<string, LeakVerdict['label']>();
  // One after another: a report naming one token twice changes it once, and a large report does not hold many
  // transactions at once.
  for (const item of items) {
    if (!labels.has(item.token)) labels.set(item.token, await respondToLeak(ctx, item, noticeOf(reporter, item)));
  }
  return items.map((item) => ({ token_raw: item.token, token_type: item.type, label: labels.get(item.token) ?? 'false_positive' }));
}

function noticeOf(reporter: LeakReporter, item: LeakReportItem): LeakNotice {
  // A reporter's URL may itself carry a credential (a query string): it is kept only with those cut out.
  const text = (value: string | undefined) => (value === undefined || value === '' ? null : redactSecrets(value));
  return {
    type: redactSecrets(item.type),
    url: text(item.url),
    source: text(item.source),
    reportedBy: reporter.kind === 'signature'
      ? { signatureKeyId: reporter.keyId }
      : { tokenId: reporter.actor.tokenId, accountId: reporter.actor.accountId },
  };
}

/**
 * A true positive is a secret that would open something now or could again: the current secret of a token, or a
 * rotated-out one still within its overlap. Anything else (malformed, checksum-failing, unknown, past its overlap)
 * is a false positive and changes nothing, as verify would treat it as never having existed.
 */
async function respondToLeak(ctx: ServiceContext, item: LeakReportItem, notice: LeakNotice): Promise<LeakVerdict['label']> {
  if (!checkSecretShape(item.token).ok) return 'false_positive';
  const found = await ctx.store.findSecret(hashSecret(item.token));
  const nowMs = ctx.clock.now();
  if (found === undefined || (found.secret.expiresAt !== null && Date.parse(found.secret.expiresAt) <= nowMs)) return 'false_positive';
  // The store tells every cache of the change when it commits, here and on other instances.
  await ctx.store.transaction((tx) => stopLeakedToken(tx, found.token, notice, nowMs));
  return 'true_positive';
}

/**
 * Disables or revokes the token, whoever made it and whatever it manages: a leaked secret must stop working even
 * if it is the account's last manager (the CLI on the database can make a new one). Already stopped: nothing
 * changes and nothing is written, so a replayed report is harmless. The token is read again in the transaction,
 * so a concurrent change is not overwritten.
 */
async function stopLeakedToken(tx: StoreOps, found: TokenRecord, notice: LeakNotice, nowMs: number): Promise<void> {
  const token = await tx.getToken(found.accountId, found.id);
  if (token === undefined || token.revokedAt !== null) return;
  // A primary endpoint token cannot be switched back on by any API (it belongs to its endpoint): it is revoked,
  // and the endpoint's next change (PUT /v1/endpoints/{id}/auth) makes a new one.
  const response = token.kind === 'primary' ? 'revoke' : (await tx.getAccount(token.accountId))?.policy.leakResponse ?? 'disable';
  if (response === 'disable' && !token.enabled) return;
  const now = new Date(nowMs).toISOString();
  const stopped: TokenRecord = response === 'revoke'
    ? { ...token, revokedAt: now, updatedAt: now, version: token.version + 1 }
    : { ...token, enabled: false, updatedAt: now, version: token.version + 1 };
  await tx.updateToken(stopped);
  await tx.appendAudit({
    accountId: token.accountId,
    actor: null,
    action: response === 'revoke' ? 'token.revoke' : 'token.disable',
    targetType: 'token',
    targetId: token.id,
    before: auditSnapshot(token, nowMs),
    after: { ...auditSnapshot(stopped, nowMs), leak: notice },
    at: now,
  });
  // The events go out with this transaction (the outbox): `token.leaked` with where it was found, then what it did.
  await emitEvent(tx, token.accountId, 'token.leaked', { token: auditSnapshot(stopped, nowMs), response, leak: notice }, now);
  if (response === 'disable') {
    await emitEvent(tx, token.accountId, 'token.disabled', { token: auditSnapshot(stopped, nowMs), actor: null, reason: 'leaked' }, now);
    return;
  }
  const descendants = await tx.listDescendants(token.accountId, token.id);
  const cascaded = await revokeAll(tx, systemActor(token.accountId), descendants, token.id, nowMs);
  await emitRevoked(tx, null, stopped, [stopped, ...cascaded], nowMs, { reason: 'leaked' });
}
