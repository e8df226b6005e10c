/** Listing and reading tokens. */
import { badRequest } from '../../core/errors.js';
import type { TokenKind } from '../../core/types.js';
import type { Page, TokenStatusFilter } from '../../store/store.js';
import { requirePermission, type Actor } from '../actor.js';
import { nowIso, type ServiceContext } from '../context.js';
import { loadToken } from './token-guards.js';
import { toTokenView, type TokenView } from './token-view.js';

export interface ListTokensInput {
  status?: TokenStatusFilter;
  /** `standard`: tokens made through the token API; `primary`/`secondary`: endpoint tokens; `all` (default). */
  kind?: TokenKind | 'all';
  search?: string;
  /** Only the tokens of this identity. */
  identityId?: string;
  limit?: number;
  cursor?: string;
}

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

export function checkPageSize(limit: number | undefined): number {
  const size = limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badRequest('limit', `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return size;
}

export async function listTokens(ctx: ServiceContext, actor: Actor, input: ListTokensInput): Promise<Page<TokenView>> {
  requirePermission(actor, 'tokens:read');
  const nowMs = ctx.clock.now();
  const page = await ctx.store.listTokens({
    accountId: actor.accountId,
    status: input.status ?? 'active',
    now: nowIso(ctx),
    ...(input.search ? { search: input.search } : {}),
    ...(input.kind !== undefined && input.kind !== 'all' ? { kinds: [input.kind] } : {}),
    ...(input.identityId ? { identityId: input.identityId } : {}),
    limit: checkPageSize(input.limit),
    ...(input.cursor ? { cursor: input.cursor } : {}),
  });
  return { items: page.items.map((t) => toTokenView(t, nowMs)), nextCursor: page.nextCursor };
}

export async function getToken(ctx: ServiceContext, actor: Actor, id: string): Promise<TokenView> {
  // A token may always read itself (like GitHub's "authenticated user" endpoints).
  if (actor.tokenId !== id) requirePermission(actor, 'tokens:read');
  return toTokenView(await loadToken(ctx.store, actor, id), ctx.clock.now());
}
