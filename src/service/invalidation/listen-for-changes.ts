/** Drops cached copies of what other instances changed, as the change feed reports it. */
import type { ServiceContext } from '../context.js';

export async function listenForChanges(ctx: ServiceContext): Promise<void> {
  await ctx.changes.start({
    onChange(change) {
      if ('tokenId' in change) ctx.tokenCache.invalidateToken(change.accountId, change.tokenId);
      else if (change.kind === 'account') ctx.accountCache.invalidate(change.accountId);
      else ctx.catalogs.invalidate(change.accountId);
    },
    onReset() {
      ctx.tokenCache.clear();
      ctx.accountCache.clear();
      ctx.catalogs.clear();
      ctx.logger.warn('change feed reset: caches cleared');
    },
  });
}
