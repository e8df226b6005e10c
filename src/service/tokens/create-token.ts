/** Creating a token: validate, check no escalation, store only the hash, return the secret exactly once. */
import { TesseraError, badRequest } from '../../core/errors.js';
import { CHOSEN_TOKEN_ID_PATTERN, newId } from '../../core/ids.js';
import { generateSecret } from '../../core/token-format.js';
import type { Scope, TokenId } from '../../core/types.js';
import { StoreConflictError } from '../../store/store.js';
import { requirePermission, type Actor } from '../actor.js';
import { getAccount } from '../account/get-account.js';
import type { ServiceContext } from '../context.js';
import {
  checkAllowedIps,
  checkLifetime,
  checkMetadata,
  checkName,
  checkOptionalText,
  checkScopes,
  checkTimestamp,
  limits,
} from './token-input.js';
import {
  addressesWithin,
  boundsOf,
  expiryWithin,
  requireCatalogRules,
  requireChainRoom,
  requireWithinActor,
} from './token-guards.js';
import { insertNewToken, newTokenRecord } from './token-record.js';
import { toTokenView, type TokenView } from './token-view.js';
import type { RateLimitInput } from '../../core/usage-limits.js';
import type { CreditsInput } from '../../core/credits.js';
import { checkTokenUsageInput } from '../limits/token-usage-input.js';

export interface CreateTokenInput {
  id?: string;
  name: string;
  description?: string | null;
  profileId?: string | null;
  scopes: string[];
  deny?: string[];
  templates?: string[];
  validFrom?: string | null;
  expiresAt?: string | null;
  allowedIps?: string[];
  enabled?: boolean;
  metadata?: Record<string, unknown> | null;
  /** Usage control (docs/limits.md): the identity it belongs to, and its own rate limits. */
  identityId?: string | null;
  limits?: RateLimitInput[];
  credits?: CreditsInput | null;
}

export interface CreatedToken {
  token: TokenView;
  /** Shown once: only its hash is kept. */
  secret: string;
}

export async function createToken(ctx: ServiceContext, actor: Actor, input: CreateTokenInput): Promise<CreatedToken> {
  requirePermission(actor, 'tokens:create');
  const account = await getAccount(ctx, actor);
  const nowMs = ctx.clock.now();

  if (input.id !== undefined && !CHOSEN_TOKEN_ID_PATTERN.test(input.id)) {
    throw badRequest('id', 'must be 1 to 50 characters from A-Z, a-z, 0-9 and _');
  }
  const { catalog, version } = await ctx.catalogs.get(actor.accountId);
  const templates = [...new Set(input.templates ?? [])];
  const fromTemplates = catalog.templateScopes(templates);
  if (!fromTemplates.ok) {
    throw badRequest(`templates[${templates.indexOf(fromTemplates.unknown)}]`, `unknown template ${fromTemplates.unknown}`);
  }
  // A token made from permission sets holds their scopes plus the extra ones asked for.
  const scopes = dedupe([...checkScopes(fromTemplates.scopes, 'templates'), ...checkScopes(input.scopes, 'scopes')]);
  if (scopes.length === 0) throw badRequest('scopes', 'must name at least one scope (or a template)');
  const deny = checkScopes(input.deny ?? [], 'deny');
  requireCatalogRules(catalog, version !== null, scopes, deny);
  requireWithinActor(catalog, actor, { scopes, deny }, 'scopes');

  requireChainRoom(actor);
  const window = checkLifetime(
    { validFrom: checkTimestamp(input.validFrom, 'validFrom'), expiresAt: checkTimestamp(input.expiresAt, 'expiresAt') },
    account.policy,
    nowMs,
    { creating: true },
  );
  // Never more than the creator's chain allows (docs/security.md): inherited when omitted, refused when wider.
  const bounds = boundsOf(actor);
  // An explicit `null` asks for no expiry: refused while the chain expires, even where the policy would fill one in.
  const requested = input.expiresAt === null && bounds.expiresAtMs !== null ? null : window.expiresAt;
  const expiresAt = expiryWithin(bounds, requested, input.expiresAt === undefined);
  if (expiresAt !== null && window.validFrom !== null && Date.parse(expiresAt) <= Date.parse(window.validFrom)) {
    throw badRequest('validFrom', `must be before the token expires (${expiresAt})`);
  }
  const allowedIps = addressesWithin(bounds, input.allowedIps === undefined ? undefined : checkAllowedIps(input.allowedIps));

  const usage = await checkTokenUsageInput(ctx, actor, input);

  const secret = generateSecret(account.tokenPrefix, ctx.randomBytes);
  const token = newTokenRecord(
    {
      id: (input.id ?? newId('token', ctx.randomBytes)) as TokenId,
      accountId: actor.accountId,
      kind: 'standard',
      name: checkName(input.name),
      description: checkOptionalText(input.description, 'description', limits.descriptionLength),
      profileId: checkOptionalText(input.profileId, 'profileId', limits.profileIdLength),
      scopes,
      deny: dedupe(deny),
      templates,
      validFrom: window.validFrom,
      expiresAt,
      allowedIps,
      enabled: input.enabled ?? true,
      createdBy: actor.tokenId,
      parentId: actor.tokenId,
      metadata: checkMetadata(input.metadata),
      ...usage,
    },
    secret,
    nowMs,
    ctx.randomBytes,
  );

  try {
    await ctx.store.transaction((tx) => insertNewToken(tx, actor.tokenId, token, secret, nowMs));
  } catch (error) {
    if (error instanceof StoreConflictError) {
      throw new TesseraError('CONFLICT', `id: a token with id ${token.id} already exists in this account`, {
        field: 'id',
      });
    }
    throw error;
  }
  ctx.logger.info({ tokenId: token.id, accountId: token.accountId, actor: actor.tokenId }, 'token created');
  return { token: toTokenView(token, nowMs), secret };
}

function dedupe(scopes: Scope[]): Scope[] {
  return [...new Set(scopes)];
}
