/**
 * Setting and adding credits (issue 19), on a token or an identity; every change audited (`token.credits`,
 * `identity.credits`) with the credits before and after. Who may: whoever may edit the token (`tokens:update`, at
 * least its permissions) or the identity (`identities:write`), never on the actor's own chain or its identity — a
 * token topping up what its own checks spend would lift its own constraint (docs/limits.md).
 */
import { checkCreditCount, checkCredits, creditBounds, creditsAt, type CreditRefillInput, type CreditsRecord } from '../../core/credits.js';
import { badRequest, TesseraError } from '../../core/errors.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { auditIdentity, loadIdentity } from '../identities/identity-input.js';
import { toIdentityView } from '../identities/identity-view.js';
import { changeToken } from '../tokens/update-token.js';
import { toCreditsView, type CreditsView } from './credit-view.js';
import { requireNotOwnChain, requireNotOwnIdentity } from './token-usage-input.js';

/** `remaining` sets the balance; `refill` and `strict`, when given, replace the rule (otherwise it is kept). */
export interface SetCreditsInput {
  remaining: number;
  refill?: CreditRefillInput | null;
  strict?: boolean;
}

export type CreditsHolder = 'token' | 'identity';

/** The credits after a set: the given fields over the current rule, the balance starting in the current period. */
function setOver(current: CreditsRecord | null, input: SetCreditsInput, nowMs: number): CreditsRecord {
  const refill = input.refill !== undefined ? input.refill : current?.refill ? refillInput(current.refill) : null;
  return checkCredits({ remaining: input.remaining, refill, strict: input.strict ?? current?.strict ?? false }, nowMs);
}

function refillInput(refill: NonNullable<CreditsRecord['refill']>): CreditRefillInput {
  return 'intervalMs' in refill ? { amount: refill.amount, interval: refill.intervalMs / 1000 } : refill;
}

/** The balance plus `amount`, refilled first if due; refused where there are no credits to add to. */
function addTo(current: CreditsRecord | null, amount: number, nowMs: number): CreditsRecord {
  if (current === null) throw new TesseraError('CONFLICT', 'amount: there are no credits to add to; set them first (PUT …/credits)', { field: 'amount' });
  const at = creditsAt(current, nowMs);
  const remaining = at.remaining + amount;
  if (remaining > creditBounds.maxCredits) throw badRequest('amount', `the balance would pass ${creditBounds.maxCredits}`);
  return { ...current, remaining, refilledAtMs: at.periodMs };
}

export async function setCredits(ctx: ServiceContext, actor: Actor, holder: CreditsHolder, id: string, input: SetCreditsInput): Promise<CreditsView> {
  checkCreditCount(input.remaining, 'remaining');
  return changeCredits(ctx, actor, holder, id, (current, nowMs) => setOver(current, input, nowMs));
}

export async function addCredits(ctx: ServiceContext, actor: Actor, holder: CreditsHolder, id: string, amount: number): Promise<CreditsView> {
  checkCreditCount(amount, 'amount', 1);
  return changeCredits(ctx, actor, holder, id, (current, nowMs) => addTo(current, amount, nowMs));
}

async function changeCredits(
  ctx: ServiceContext,
  actor: Actor,
  holder: CreditsHolder,
  id: string,
  next: (current: CreditsRecord | null, nowMs: number) => CreditsRecord,
): Promise<CreditsView> {
  if (holder === 'token') {
    requirePermission(actor, 'tokens:update');
    await requireNotOwnChain(ctx, actor, id, 'credits');
    // The token's row is locked for the read and the write (PostgreSQL), so a background flush of consumption
    // waits and then subtracts from the new balance: nothing spent is lost.
    const view = await changeToken(ctx, actor, id, 'token.credits', (token, nowMs) => ({ ...token, credits: next(token.credits, nowMs) }));
    return view.credits!;
  }
  requirePermission(actor, 'identities:write');
  await requireNotOwnIdentity(ctx, actor, id);
  const nowMs = ctx.clock.now();
  const now = new Date(nowMs).toISOString();
  return ctx.store.transaction(async (tx) => {
    const identity = await loadIdentity(tx, actor.accountId, id);
    const changed = { ...identity, credits: next(identity.credits, nowMs), updatedAt: now, version: identity.version + 1 };
    await tx.updateIdentity(changed);
    await tx.setCredits({ accountId: actor.accountId, holder: 'identity', holderId: id }, changed.credits);
    await auditIdentity(tx, actor, 'identity.credits', { id, before: toIdentityView(identity, nowMs).credits, after: toIdentityView(changed, nowMs).credits, at: now });
    return toCreditsView(changed.credits, nowMs)!;
  });
}
