/** The presenting token as its holder sees it: what it may grant to the tokens it creates (docs/security.md). */
import type { Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { loadToken } from './token-guards.js';

export interface CallerView {
  tokenId: string;
  name: string;
  scopes: string[];
  deny: string[];
  /** The earliest expiry on its chain: a token it creates expires at or before this (and inherits it by default). */
  expiresAt: string | null;
  /** Its innermost allowed-address list on the chain: what a token it creates inherits, and must stay within. */
  allowedIps: string[];
}

/** `null` for the CLI acting on the database file, which has no token. */
export async function describeCaller(ctx: ServiceContext, actor: Actor): Promise<CallerView | null> {
  if (actor.tokenId === null) return null;
  const token = await loadToken(ctx.store, actor, actor.tokenId);
  const expiresAtMs = actor.limits?.expiresAtMs ?? null;
  return {
    tokenId: token.id,
    name: token.name,
    scopes: [...token.scopes],
    deny: [...token.deny],
    expiresAt: expiresAtMs === null ? null : new Date(expiresAtMs).toISOString(),
    allowedIps: [...(actor.limits?.allowedIps[0] ?? [])],
  };
}
