/** Who is acting on the management API, and the permission check every use case starts with. */
import { TesseraError } from '../core/errors.js';
import { permits, type PermissionSet } from '../core/scope.js';
import type { AccountId, Scope, TokenId } from '../core/types.js';

export interface Actor {
  accountId: AccountId;
  /** The presenting token, or `null` for the CLI acting on the database file (full control of that file). */
  tokenId: TokenId | null;
  permissions: PermissionSet;
  /**
   * What the presenting token's chain bounds everything it makes by (docs/security.md): the earliest expiry, each
   * allowed-address list, the ancestors' permissions. `null` for the CLI on the database file: no chain.
   */
  limits: ActorLimits | null;
}

export interface ActorLimits {
  /** How many tokens made the presenting one (its ancestors). */
  depth: number;
  /** Epoch ms; `null`: nothing on the chain expires. */
  expiresAtMs: number | null;
  /** Every non-empty allowed-address list on the chain, the token's own first. */
  allowedIps: readonly (readonly string[])[];
  /** Permissions of the ancestors that grant less than everything (the token's own are `permissions`). */
  ancestorPermissions: readonly PermissionSet[];
}

export const ADMIN_PERMISSIONS: PermissionSet = { scopes: ['*' as Scope], deny: [] };

/** The CLI working directly on a database file: whoever can write the file already controls everything. */
export function systemActor(accountId: AccountId): Actor {
  return { accountId, tokenId: null, permissions: ADMIN_PERMISSIONS, limits: null };
}

/** Throws FORBIDDEN with RFC 6750 `scope` information unless the actor holds `permission`. */
export function requirePermission(actor: Actor, permission: string): void {
  if (permits(actor.permissions, permission as Scope)) return;
  throw new TesseraError('FORBIDDEN', `this token lacks the permission ${permission}`, {
    requiredScopes: [permission],
  });
}
