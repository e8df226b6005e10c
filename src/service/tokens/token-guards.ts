/** Checks shared by every use case that touches an existing token: it exists, and the actor may act on it. */
import { TesseraError, badRequest, notFound } from '../../core/errors.js';
import type { CompiledCatalog } from '../../core/catalog/index.js';
import { permits, type Permissions } from '../../core/scope.js';
import type { Scope, TokenId, TokenRecord } from '../../core/types.js';
import type { StoreOps } from '../../store/store.js';
import { rangeWithin } from '../../core/ip-allowlist.js';
import { BUILTIN_PERMISSIONS, holdsPermission, type Actor } from '../actor.js';
import { MAX_CHAIN_DEPTH } from './token-chain.js';

export async function loadToken(store: Pick<StoreOps, 'getToken'>, actor: Actor, id: string): Promise<TokenRecord> {
  const token = await store.getToken(actor.accountId, id as TokenId);
  if (!token) throw notFound(`token ${id}`);
  return token;
}

/**
 * No escalation (SPEC rule 2): an actor may only give, or act on, permissions it holds itself.
 * `field` names the request field for the error (`scopes` on create, `id` when acting on a token).
 */
export function requireWithinActor(catalog: CompiledCatalog, actor: Actor, permissions: Permissions, field: string): void {
  const check = withinActor(catalog, actor, permissions);
  if (check.ok) return;
  throw new TesseraError('FORBIDDEN', `${field}: ${check.scope}: ${check.message}; a token can only grant what it holds`, {
    field,
  });
}

/** Within the actor's own permissions and those of every ancestor of it that grants less than everything. */
function withinActor(catalog: CompiledCatalog, actor: Actor, permissions: Permissions): ReturnType<CompiledCatalog['isSubset']> {
  const own = catalog.isSubset(permissions, actor.permissions);
  if (!own.ok) return own;
  for (const ancestor of actor.limits?.ancestorPermissions ?? []) {
    const check = catalog.isSubset(permissions, ancestor);
    if (!check.ok) return { ...check, message: `${check.message} (beyond a token on this token's chain of creators)` };
  }
  // Tessera's own permissions are held only as the management API grants them (a catalog include of `*` does not
  // reach them): a token must not hand out one it could not use itself.
  for (const builtin of BUILTIN_PERMISSIONS) {
    if (permits(permissions, builtin as Scope) && !holdsPermission(actor, builtin)) {
      return { ok: false, scope: builtin, reason: 'not-covered', message: `is a Tessera permission this token does not hold` };
    }
  }
  return own;
}

/** Whether the actor holds at least the token's permissions (or is the token itself). */
export function canActOn(catalog: CompiledCatalog, actor: Actor, token: TokenRecord): boolean {
  return actor.tokenId === token.id || withinActor(catalog, actor, { scopes: token.scopes, deny: token.deny }).ok;
}

/** Acting on a token (edit, disable, rotate, delete) needs at least its permissions, except acting on oneself. */
export function requireCanActOn(catalog: CompiledCatalog, actor: Actor, token: TokenRecord): void {
  if (actor.tokenId === token.id) return;
  requireWithinActor(catalog, actor, { scopes: token.scopes, deny: token.deny }, 'id');
}

/** What bounds a token's expiry and addresses: its creator's chain when creating, the editor's and its own ancestors' when editing. */
export interface Bounds {
  /** Epoch ms: the earliest expiry among the bounding tokens; `null`: none expires. */
  expiresAtMs: number | null;
  /** Every non-empty allowed-address list among them. */
  allowedIps: readonly (readonly string[])[];
}

export const NO_BOUNDS: Bounds = { expiresAtMs: null, allowedIps: [] };

/** The actor's chain as bounds, or none for the CLI on the database file. */
export function boundsOf(actor: Actor): Bounds {
  return actor.limits ?? NO_BOUNDS;
}

/** Both bounds at once: the earlier expiry, every list. */
export function bothBounds(a: Bounds, b: Bounds): Bounds {
  const expiresAtMs = a.expiresAtMs === null ? b.expiresAtMs : b.expiresAtMs === null ? a.expiresAtMs : Math.min(a.expiresAtMs, b.expiresAtMs);
  return { expiresAtMs, allowedIps: [...a.allowedIps, ...b.allowedIps] };
}

/** The bounds a token's own ancestors put on it (read with {@link readAncestors}); a missing one bounds nothing more: it is revoked. */
export function boundsOfAncestors(ancestors: readonly (TokenRecord | null)[]): Bounds {
  let bounds = NO_BOUNDS;
  for (const ancestor of ancestors) {
    if (ancestor === null) continue;
    bounds = bothBounds(bounds, {
      expiresAtMs: ancestor.expiresAt === null ? null : Date.parse(ancestor.expiresAt),
      allowedIps: ancestor.allowedIps.length > 0 ? [ancestor.allowedIps] : [],
    });
  }
  return bounds;
}

/**
 * A token's expiry within its bounds (SPEC rule 2): an omitted one is inherited (the earlier of what it would
 * have had and the bound), a later or absent one is refused naming `expiresAt`.
 */
export function expiryWithin(bounds: Bounds, expiresAt: string | null, omitted: boolean): string | null {
  if (bounds.expiresAtMs === null) return expiresAt;
  const limit = new Date(bounds.expiresAtMs).toISOString();
  if (omitted) return expiresAt !== null && Date.parse(expiresAt) <= bounds.expiresAtMs ? expiresAt : limit;
  if (expiresAt === null) {
    throw new TesseraError('FORBIDDEN', `expiresAt: must be set, at or before ${limit}: a token can only grant the lifetime it has (its chain of creators expires then)`, {
      field: 'expiresAt',
    });
  }
  if (Date.parse(expiresAt) > bounds.expiresAtMs) {
    throw new TesseraError('FORBIDDEN', `expiresAt: must be at or before ${limit}: a token can only grant the lifetime it has (its chain of creators expires then)`, {
      field: 'expiresAt',
    });
  }
  return expiresAt;
}

/**
 * A token's allowed addresses within its bounds: an omitted list is inherited (the innermost list), a given one
 * must lie, entry by entry, inside every list; an empty one (any address) only where nothing bounds it.
 */
export function addressesWithin(bounds: Bounds, allowedIps: readonly string[] | undefined): string[] {
  if (bounds.allowedIps.length === 0) return [...(allowedIps ?? [])];
  if (allowedIps === undefined) return [...bounds.allowedIps[0]!];
  if (allowedIps.length === 0) {
    throw new TesseraError('FORBIDDEN', `allowedIps: must not be empty (any address): a token can only grant the addresses it may be used from (${bounds.allowedIps[0]!.join(', ')})`, {
      field: 'allowedIps',
    });
  }
  for (const [index, entry] of allowedIps.entries()) {
    const outside = bounds.allowedIps.find((list) => !rangeWithin(entry, list));
    if (outside !== undefined) {
      throw new TesseraError('FORBIDDEN', `allowedIps[${index}]: ${entry} is outside ${outside.join(', ')}: a token can only grant the addresses it may be used from`, {
        field: `allowedIps[${index}]`,
      });
    }
  }
  return [...allowedIps];
}

/**
 * A primary endpoint token is its endpoint's (the integration platform): switched on and off, regenerated and revoked through the
 * endpoint, never one by one through the token API, where it would silently break the endpoint's setup.
 */
export function requireNotPrimary(token: TokenRecord, action: string): void {
  if (token.kind !== 'primary') return;
  const { endpoint, method } = token.metadata as { endpoint?: string; method?: string };
  throw new TesseraError(
    'CONFLICT',
    `id: token ${token.id} is the ${method ?? ''} primary token of endpoint ${endpoint ?? ''}; ${action} it through its endpoint (regenerate it, or switch token authentication off)`,
    { field: 'id' },
  );
}

/** Revocation is final: nothing but deletion may change a revoked token. */
export function requireNotRevoked(token: TokenRecord): void {
  if (token.revokedAt !== null) {
    throw new TesseraError('CONFLICT', `token ${token.id} is revoked; revocation is final`);
  }
}

/**
 * Catalog rules for a token's permissions: every scope known to the account's catalog (once it has one),
 * and every `requires` satisfied on the same token (e.g. `read:messages` needs some `user_id:…`).
 */
export function requireCatalogRules(catalog: CompiledCatalog, hasCatalog: boolean, scopes: readonly string[], deny: readonly string[]): void {
  if (hasCatalog) {
    const issue = [...catalog.validateTokenScopes(scopes, 'scopes'), ...catalog.validateTokenScopes(deny, 'deny')][0];
    if (issue) throw badRequest(issue.path, issue.message);
  }
  const requires = catalog.checkRequires({ scopes, deny });
  if (!requires.ok) {
    const index = scopes.indexOf(requires.scope);
    throw badRequest(index >= 0 ? `scopes[${index}]` : 'scopes', `${requires.scope} requires ${requires.requires} on the same token: ${requires.message}`);
  }
}

/** A token at the deepest chain allowed cannot make more (a chain that deep is almost surely a loop in a script). */
export function requireChainRoom(actor: Actor): void {
  if (actor.limits !== null && actor.limits.depth + 1 >= MAX_CHAIN_DEPTH) {
    throw new TesseraError('FORBIDDEN', `this token is ${actor.limits.depth} tokens down its chain of creators; at most ${MAX_CHAIN_DEPTH} deep`);
  }
}

/** Within the permissions of each of a token's ancestors (a token never holds more than what made it). */
export function requireWithinAncestors(catalog: CompiledCatalog, ancestors: readonly (TokenRecord | null)[], permissions: Permissions, field: string): void {
  for (const ancestor of ancestors) {
    if (ancestor === null) continue;
    const check = catalog.isSubset(permissions, { scopes: ancestor.scopes, deny: ancestor.deny });
    if (!check.ok) {
      throw new TesseraError('FORBIDDEN', `${field}: ${check.scope}: beyond token ${ancestor.id}, which made this one: ${check.message}`, { field });
    }
  }
}
