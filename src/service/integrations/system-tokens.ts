/** Primary and secondary endpoint tokens: records made and inserted by Tessera for an integration endpoint. */
import { newId } from '../../core/ids.js';
import { generateSecret } from '../../core/token-format.js';
import type { AccountRecord, Scope, TokenId, TokenKind, TokenRecord } from '../../core/types.js';
import type { StoreOps } from '../../store/store.js';
import type { Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { requireChainRoom } from '../tokens/token-guards.js';
import { insertNewToken, newTokenRecord } from '../tokens/token-record.js';

export interface SystemTokenInput {
  kind: Exclude<TokenKind, 'standard'>;
  name: string;
  description: string | null;
  enabled: boolean;
  scopes: Scope[];
  metadata: Record<string, unknown>;
}

/**
 * A primary or secondary token record with a fresh secret. Its parent is the token that made it, like any token's
 * (docs/security.md): it holds no more than that token's chain, inherits its expiry and addresses, and is revoked
 * with it — a leaked manager token cannot mint integration credentials that outlive its revocation.
 */
export function newSystemToken(
  ctx: Pick<ServiceContext, 'randomBytes'>,
  account: AccountRecord,
  actor: Actor,
  input: SystemTokenInput,
  nowMs: number,
): { token: TokenRecord; secret: string } {
  requireChainRoom(actor);
  const secret = generateSecret(account.tokenPrefix, ctx.randomBytes);
  const token = newTokenRecord(
    {
      id: newId('token', ctx.randomBytes) as TokenId,
      accountId: account.id,
      kind: input.kind,
      name: input.name,
      description: input.description,
      scopes: input.scopes,
      enabled: input.enabled,
      expiresAt: actor.limits?.expiresAtMs == null ? null : new Date(actor.limits.expiresAtMs).toISOString(),
      allowedIps: [...(actor.limits?.allowedIps[0] ?? [])],
      createdBy: actor.tokenId,
      // Endpoint tokens belong to the token that made them: revoking or deleting it revokes them (docs/security.md).
      parentId: actor.tokenId,
      metadata: input.metadata,
    },
    secret,
    nowMs,
    ctx.randomBytes,
  );
  return { token, secret };
}

/** Inserts a system token with its first secret and audits its creation. */
export function insertSystemToken(tx: StoreOps, actor: Actor, token: TokenRecord, secret: string, nowMs: number, extra: object = {}): Promise<void> {
  return insertNewToken(tx, actor.tokenId, token, secret, nowMs, extra);
}
