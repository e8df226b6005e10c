/**
 * The account can't lock itself out: an action that would leave it without a live token able to manage it (hold
 * `account:manage` and `tokens:create`) is refused, since recovering needs shell access to the database.
 */
import { TesseraError } from '../../core/errors.js';
import { permits } from '../../core/scope.js';
import { tokenState } from '../../core/token-state.js';
import type { AccountId, Scope, TokenRecord } from '../../core/types.js';
import type { StoreOps } from '../../store/store.js';

const MANAGER_PERMISSIONS = ['account:manage', 'tokens:create'] as Scope[];
const PAGE = 500;

/** A token that can manage its account at `nowMs`: live and holding every manager permission. */
export function isManager(token: TokenRecord, nowMs: number): boolean {
  return (
    token.kind === 'standard' &&
    tokenState(token, nowMs) === 'VALID' &&
    MANAGER_PERMISSIONS.every((permission) => permits({ scopes: token.scopes, deny: token.deny }, permission))
  );
}

/**
 * Refuses (409) when every live manager of the account is among `affected` (tokens the action revokes, deletes or
 * disables, with their descendants). Reads the account's tokens only when the action touches a manager at all.
 */
export async function requireManagerRemains(
  tx: Pick<StoreOps, 'listTokens'>,
  accountId: AccountId,
  affected: readonly TokenRecord[],
  nowMs: number,
  action: string,
): Promise<void> {
  if (!affected.some((token) => isManager(token, nowMs))) return;
  const gone = new Set<string>(affected.map((token) => token.id));
  const now = new Date(nowMs).toISOString();
  let cursor: string | undefined;
  do {
    const page = await tx.listTokens({ accountId, status: 'active', now, limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
    // `affected` holds the targets' descendants too, so a manager made by a target is in `gone` as well.
    if (page.items.some((token) => !gone.has(token.id) && isManager(token, nowMs))) return;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  throw new TesseraError(
    'CONFLICT',
    `${action} would leave the account without a live token that can manage it (holding account:manage and tokens:create); create another such token first`,
  );
}
