/** What `tessera scan --url` asks about the secrets it found: which token each is in the caller's account, and its status. */
import { tokenState, type TokenState } from '../../core/token-state.js';
import { checkSecretShape, hashSecret, secretHint } from '../../core/token-format.js';
import type { TokenRecord } from '../../core/types.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { readAncestors } from '../tokens/token-chain.js';
import { statusOf, type TokenStatus } from '../tokens/token-view.js';

export type LeakStatus = TokenStatus | 'unknown';

export interface LeakCheck {
  /** The secret's public hint, to match the answer to the finding; never the secret. */
  hint: string;
  /** `null` when the secret is not a current one of the caller's account. */
  tokenId: string | null;
  status: LeakStatus;
  /** Whether the secret works now or could again without a new secret: active, disabled or not yet valid. */
  live: boolean;
}

/** Worst first: the state a chain of tokens is in is the worst of its links' (docs/security.md). */
const precedence: readonly TokenState[] = ['REVOKED', 'EXPIRED', 'NOT_YET_VALID', 'DISABLED', 'VALID'];

const LIVE: ReadonlySet<LeakStatus> = new Set(['active', 'disabled', 'not_yet_valid']);

export async function checkLeaks(ctx: ServiceContext, actor: Actor, secrets: readonly string[]): Promise<{ items: LeakCheck[] }> {
  requirePermission(actor, 'tokens:read');
  const items: LeakCheck[] = [];
  for (const secret of secrets) items.push(await checkOne(ctx, actor, secret));
  return { items };
}

/** Reads the store, never the verify path: a lookup is not a use of the token and records no usage. */
async function checkOne(ctx: ServiceContext, actor: Actor, secret: string): Promise<LeakCheck> {
  const unknown: LeakCheck = { hint: secretHint(secret), tokenId: null, status: 'unknown', live: false };
  if (!checkSecretShape(secret).ok) return unknown;
  const found = await ctx.store.findSecret(hashSecret(secret));
  const nowMs = ctx.clock.now();
  // Another account's token is unknown to this caller: it learns nothing about tokens outside its account.
  if (found === undefined || found.token.accountId !== actor.accountId) return unknown;
  if (found.secret.expiresAt !== null && Date.parse(found.secret.expiresAt) <= nowMs) return unknown;
  const status = statusOf[await chainState(ctx, found.token, nowMs)];
  return { hint: unknown.hint, tokenId: found.token.id, status, live: LIVE.has(status) };
}

async function chainState(ctx: ServiceContext, token: TokenRecord, nowMs: number): Promise<TokenState> {
  const states = [tokenState(token, nowMs)];
  for (const ancestor of await readAncestors(ctx.store, token)) states.push(ancestor === null ? 'REVOKED' : tokenState(ancestor, nowMs));
  return precedence.find((state) => states.includes(state)) ?? 'VALID';
}
