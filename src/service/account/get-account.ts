/** Reading the caller's account (its policy), from the account cache. */
import { notFound } from '../../core/errors.js';
import type { AccountRecord } from '../../core/types.js';
import type { Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';

export async function getAccount(ctx: ServiceContext, actor: Actor): Promise<AccountRecord> {
  const account = await ctx.accountCache.get(actor.accountId);
  if (!account) throw notFound(`account ${actor.accountId}`);
  return account;
}
