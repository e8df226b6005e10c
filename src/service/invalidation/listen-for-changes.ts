/**
 * The one path of cache invalidation: every change the store commits, here or on another instance, drops the
 * cached copies it makes stale, in the same way. This instance's changes come from the store's own events (at
 * commit, before the use case answers); other instances' through the change feed.
 */
import type { StoreChange } from '../../store/store.js';
import type { ServiceContext } from '../context.js';

/** Drops what `change` made stale. */
export function applyChange(ctx: ServiceContext, change: StoreChange): void {
  if ('tokenId' in change) {
    ctx.tokenCache.invalidateToken(change.accountId, change.tokenId);
    ctx.credits.invalidate({ accountId: change.accountId, holder: 'token', holderId: change.tokenId });
    if (change.secretHash !== undefined) ctx.tokenCache.forgetMissing(change.secretHash);
  } else if (change.kind === 'identity') {
    ctx.identities.invalidate(change.accountId, change.identityId);
    ctx.credits.invalidate({ accountId: change.accountId, holder: 'identity', holderId: change.identityId });
  } else if (change.kind === 'account') {
    ctx.accountCache.invalidate(change.accountId);
  } else {
    // Cached tokens keep their permissions prepared for the catalog object they were checked against, and every
    // check compares that object with the account's current one: dropping the catalog re-prepares them all.
    ctx.catalogs.invalidate(change.accountId);
  }
}

/** Hears this store's own changes; returns the way to stop. Called once, when the service is composed. */
export function followStoreChanges(ctx: ServiceContext): () => void {
  return ctx.store.onChange((change) => applyChange(ctx, change));
}

/** Starts hearing other instances' changes through the change feed. */
export async function listenForChanges(ctx: ServiceContext): Promise<void> {
  await ctx.changes.start({
    onChange: (change) => applyChange(ctx, change),
    onReset() {
      ctx.tokenCache.clear();
      ctx.accountCache.clear();
      ctx.catalogs.clear();
      ctx.identities.clear();
      ctx.credits.clear();
      ctx.logger.warn('change feed reset: caches cleared');
    },
  });
}
