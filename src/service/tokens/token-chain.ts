/** A token's chain of creators, read from the store: what every credential it made is bounded by (docs/security.md). */
import type { TokenRecord } from '../../core/types.js';
import type { StoreOps } from '../../store/store.js';
import type { Ancestor } from '../verify/token-cache.js';

/** The deepest chain of creators a token may have; a token this deep cannot create or issue more. */
export const MAX_CHAIN_DEPTH = 32;

/**
 * The token's ancestors, nearest first. A parent that no longer exists ends the chain as `null` (it counts as
 * revoked); so does a cycle or a chain deeper than {@link MAX_CHAIN_DEPTH}, which only an edited database has.
 */
export async function readAncestors(store: Pick<StoreOps, 'getToken'>, token: TokenRecord): Promise<Ancestor[]> {
  const ancestors: Ancestor[] = [];
  const seen = new Set<string>([token.id]);
  let parentId = token.parentId;
  while (parentId !== null) {
    if (seen.has(parentId) || ancestors.length >= MAX_CHAIN_DEPTH) {
      ancestors.push(null);
      break;
    }
    seen.add(parentId);
    // Held against edits of the ancestor until this transaction ends, but not against its usage counters.
    const parent = (await store.getToken(token.accountId, parentId, 'key-share')) ?? null;
    ancestors.push(parent);
    if (parent === null) break;
    parentId = parent.parentId;
  }
  return ancestors;
}
