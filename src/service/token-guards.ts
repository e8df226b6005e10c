/** Checks shared by every use case that touches an existing token: it exists, and the actor may act on it. */
import { TesseraError, notFound } from '../core/errors.js';
import { isSubset, type PermissionSet } from '../core/scope.js';
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
export function requireWithinActor(actor: Actor, permissions: PermissionSet, field: string): void {
  const check = isSubset(permissions, actor.permissions);
  if (check.ok) return;
  const why = check.reason === 'DENIED' ? 'reaches into a permission the caller is denied' : 'is not held by the caller';
  throw new TesseraError('FORBIDDEN', `${field}: ${check.scope} ${why}; a token can only grant what it holds`, {
    field,
  });
}

/** Acting on a token (edit, disable, rotate, delete) needs at least its permissions, except acting on oneself. */
export function requireCanActOn(actor: Actor, token: TokenRecord): void {
  if (actor.tokenId === token.id) return;
  requireWithinActor(actor, { scopes: token.scopes, deny: token.deny }, 'id');
}

/** Revocation is final: nothing but deletion may change a revoked token. */
export function requireNotRevoked(token: TokenRecord): void {
  if (token.revokedAt !== null) {
    throw new TesseraError('CONFLICT', `token ${token.id} is revoked; revocation is final`);
  }
}
