/** Who is acting on the management API, and the permission check every use case starts with. */
import { TesseraError } from '../core/errors.js';
import { builtinCatalogDocument, type CompiledCatalog } from '../core/catalog/index.js';
import { permits, type Permissions } from '../core/scope.js';
import type { AccountId, Scope, TokenId } from '../core/types.js';

export interface Actor {
  accountId: AccountId;
  /** The presenting token, or `null` for the CLI acting on the database file (full control of that file). */
  tokenId: TokenId | null;
  permissions: Permissions;
  /**
   * What the presenting token's chain bounds everything it makes by (docs/security.md): the earliest expiry, each
   * allowed-address list, the ancestors' permissions. `null` for the CLI on the database file: no chain.
   */
  limits: ActorLimits | null;
  /**
   * Tessera permissions the account's catalog gives this token through includes that name them (the IoT platform's
   * `admin` including `tokens:*`), held by every token on its chain too. Absent: only its own scopes count.
   */
  catalogGranted?: ReadonlySet<string>;
}

export interface ActorLimits {
  /** How many tokens made the presenting one (its ancestors). */
  depth: number;
  /** Epoch ms; `null`: nothing on the chain expires. */
  expiresAtMs: number | null;
  /** Every non-empty allowed-address list on the chain, the token's own first. */
  allowedIps: readonly (readonly string[])[];
  /** Permissions of the ancestors that grant less than everything (the token's own are `permissions`). */
  ancestorPermissions: readonly Permissions[];
}

export const ADMIN_PERMISSIONS: Permissions = { scopes: ['*' as Scope], deny: [] };

/** The CLI working directly on a database file: whoever can write the file already controls everything. */
export function systemActor(accountId: AccountId): Actor {
  return { accountId, tokenId: null, permissions: ADMIN_PERMISSIONS, limits: null };
}

/** Tessera's own permissions (`tokens:create`, `usage:read`, …): the built-in catalog's scopes. */
export const BUILTIN_PERMISSIONS: readonly string[] = builtinCatalogDocument.scopes.map((s) => s.scope);

/**
 * The actor with the built-in permissions its catalog scopes include. Each must be reached by the token and by
 * every ancestor that grants less than everything, as any check must (docs/security.md, rule 3).
 */
export function withCatalogPermissions(actor: Actor, catalog: CompiledCatalog): Actor {
  const reached = catalog.reachedThroughIncludes(actor.permissions, BUILTIN_PERMISSIONS);
  if (reached.length === 0) return actor;
  const held = reached.filter((name) =>
    (actor.limits?.ancestorPermissions ?? []).every(
      (ancestor) => permits(ancestor, name as Scope) || catalog.reachedThroughIncludes(ancestor, [name]).length > 0,
    ),
  );
  return held.length === 0 ? actor : { ...actor, catalogGranted: new Set(held) };
}

/** Whether the actor holds `permission`: among its scopes, or through its catalog's includes. */
export function holdsPermission(actor: Actor, permission: string): boolean {
  return permits(actor.permissions, permission as Scope) || actor.catalogGranted?.has(permission) === true;
}

/** Throws FORBIDDEN with RFC 6750 `scope` information unless the actor holds `permission`. */
export function requirePermission(actor: Actor, permission: string): void {
  if (holdsPermission(actor, permission)) return;
  throw new TesseraError('FORBIDDEN', `this token lacks the permission ${permission}`, {
    requiredScopes: [permission],
  });
}
