/** `keys rotate`: a new signing key takes over; the old ones keep verifying until every token they signed has expired. */
import type { SigningKeyRecord } from '../../store/store.js';
import { requirePermission, type Actor } from '../actor.js';
import { nowIso, type ServiceContext } from '../context.js';
import { DEFAULT_SIGNING_ALG, MAX_ISSUED_LIFETIME_SECONDS, type SigningAlg, type SigningKeys } from './signing-keys.js';

export interface SigningKeyView {
  kid: string;
  alg: SigningAlg;
  createdAt: string;
  retiredAt: string | null;
  notAfter: string | null;
}

export interface RotatedKeys {
  key: SigningKeyView;
  /** The kids that stopped signing; they verify until `notAfter`. */
  retired: Array<{ kid: string; notAfter: string }>;
}

export function keyView(record: SigningKeyRecord): SigningKeyView {
  return { kid: record.kid, alg: record.alg, createdAt: record.createdAt, retiredAt: record.retiredAt, notAfter: record.notAfter };
}

export async function rotateSigningKey(
  ctx: ServiceContext,
  keys: SigningKeys,
  actor: Actor,
  options: { alg?: SigningAlg } = {},
): Promise<RotatedKeys> {
  requirePermission(actor, 'account:manage');
  const current = (await ctx.store.listSigningKeys({ accountId: actor.accountId, now: nowIso(ctx) })).find((k) => k.retiredAt === null);
  const next = await keys.generate(actor.accountId, options.alg ?? current?.alg ?? DEFAULT_SIGNING_ALG);
  const now = next.createdAt;
  const notAfter = new Date(ctx.clock.now() + MAX_ISSUED_LIFETIME_SECONDS * 1000).toISOString();
  const retired = await ctx.store.transaction(async (tx) => {
    const kids = await tx.retireSigningKeys(actor.accountId, now, notAfter);
    await tx.insertSigningKey(next);
    await tx.appendAudit({
      accountId: actor.accountId,
      actor: actor.tokenId,
      action: 'key.rotate',
      targetType: 'key',
      targetId: next.kid,
      before: kids.length > 0 ? { signing: kids } : null,
      // Public facts only: never the private key.
      after: { kid: next.kid, alg: next.alg, retired: kids, retiredKeysVerifyUntil: notAfter },
      at: now,
    });
    return kids;
  });
  keys.forgetAccount(actor.accountId);
  ctx.logger.info({ accountId: actor.accountId, kid: next.kid, retired }, 'signing key rotated');
  return { key: keyView(next), retired: retired.map((kid) => ({ kid, notAfter })) };
}
