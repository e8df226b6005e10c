/** Who is acting on the management API, and the permission check every use case starts with. */
import { TesseraError } from '../core/errors.js';
import { permits, type PermissionSet } from '../core/scope.js';
import type { AccountId, Scope, TokenId } from '../core/types.js';

export interface Actor {
  accountId: AccountId;
  /** The presenting token, or `null` for the CLI acting on the database file (full control of that file). */
  tokenId: TokenId | null;
  permissions: PermissionSet;
}

export const ADMIN_PERMISSIONS: PermissionSet = { scopes: ['*' as Scope], deny: [] };

/** The CLI working directly on a database file: whoever can write the file already controls everything. */
export function systemActor(accountId: AccountId): Actor {
  return { accountId, tokenId: null, permissions: ADMIN_PERMISSIONS };
}

/** Throws FORBIDDEN with RFC 6750 `scope` information unless the actor holds `permission`. */
export function requirePermission(actor: Actor, permission: string): void {
  if (permits(actor.permissions, permission as Scope)) return;
  throw new TesseraError('FORBIDDEN', `this token lacks the permission ${permission}`, {
    requiredScopes: [permission],
  });
}
