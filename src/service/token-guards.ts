/** Checks shared by every use case that touches an existing token: it exists, and the actor may act on it. */
import { TesseraError, badRequest, notFound } from '../core/errors.js';
import type { CompiledCatalog } from '../core/catalog/index.js';
import type { PermissionSet } from '../core/scope.js';
import type { TokenId, TokenRecord } from '../core/types.js';
import type { StoreOps } from '../store/store.js';
import type { Actor } from './actor.js';

export async function loadToken(store: Pick<StoreOps, 'getToken'>, actor: Actor, id: string): Promise<TokenRecord> {
  const token = await store.getToken(actor.accountId, id as TokenId);
  if (!token) throw notFound(`token ${id}`);
  return token;
}

/**
 * No escalation (SPEC rule 2): an actor may only give, or act on, permissions it holds itself.
 * `field` names the request field for the error (`scopes` on create, `id` when acting on a token).
 */
export function requireWithinActor(catalog: CompiledCatalog, actor: Actor, permissions: PermissionSet, field: string): void {
  const check = catalog.isSubset(permissions, actor.permissions);
  if (check.ok) return;
  throw new TesseraError('FORBIDDEN', `${field}: ${check.scope}: ${check.message}; a token can only grant what it holds`, {
    field,
  });
}

/** Whether the actor holds at least the token's permissions (or is the token itself). */
export function canActOn(catalog: CompiledCatalog, actor: Actor, token: TokenRecord): boolean {
  return actor.tokenId === token.id || catalog.isSubset({ scopes: token.scopes, deny: token.deny }, actor.permissions).ok;
}

/** Acting on a token (edit, disable, rotate, delete) needs at least its permissions, except acting on oneself. */
export function requireCanActOn(catalog: CompiledCatalog, actor: Actor, token: TokenRecord): void {
  if (actor.tokenId === token.id) return;
  requireWithinActor(catalog, actor, { scopes: token.scopes, deny: token.deny }, 'id');
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
