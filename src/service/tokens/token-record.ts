/** A new token record with its defaults, and its insertion with the first secret and the creation audit event. */
import { emitEvent } from '../webhooks/emit-event.js';
import { generateRandomString, hashSecret, secretHint } from '../../core/token-format.js';
import type { TokenId, TokenRecord } from '../../core/types.js';
import type { StoreOps } from '../../store/store.js';
import { auditSnapshot } from './token-view.js';

export type NewTokenFields = Pick<TokenRecord, 'id' | 'accountId' | 'kind' | 'name' | 'scopes' | 'createdBy' | 'parentId'> &
  Partial<Pick<TokenRecord, 'description' | 'profileId' | 'deny' | 'templates' | 'validFrom' | 'expiresAt' | 'allowedIps' | 'enabled' | 'metadata' | 'identityId' | 'limits' | 'credits'>>;

/** Every token starts here: version 1, never used, not revoked, the hint of its first secret, a new instance. */
export function newTokenRecord(fields: NewTokenFields, secret: string, nowMs: number, randomBytes: (n: number) => Uint8Array): TokenRecord {
  const now = new Date(nowMs).toISOString();
  return {
    description: null,
    profileId: null,
    deny: [],
    templates: [],
    validFrom: null,
    expiresAt: null,
    allowedIps: [],
    enabled: true,
    metadata: {},
    identityId: null,
    limits: [],
    credits: null,
    ...fields,
    hint: secretHint(secret),
    createdAt: now,
    updatedAt: now,
    revokedAt: null,
    lastUsedAt: null,
    useCount: 0,
    version: 1,
    instance: generateRandomString(22, randomBytes),
  };
}

/** Inserts the token with its first secret (only the hash) and audits its creation, in the caller's transaction. */
export async function insertNewToken(
  tx: StoreOps,
  actor: TokenId | null,
  token: TokenRecord,
  secret: string,
  nowMs: number,
  extra: object = {},
): Promise<void> {
  const now = new Date(nowMs).toISOString();
  await tx.insertToken(token, { hash: hashSecret(secret), tokenId: token.id, accountId: token.accountId, createdAt: now, expiresAt: null });
  await tx.appendAudit({
    accountId: token.accountId,
    actor,
    action: 'token.create',
    targetType: 'token',
    targetId: token.id,
    before: null,
    after: { ...auditSnapshot(token, nowMs), ...extra },
    at: now,
  });
  await emitEvent(tx, token.accountId, 'token.created', { token: auditSnapshot(token, nowMs), actor }, now);
}
