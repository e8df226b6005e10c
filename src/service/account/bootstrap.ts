/** First start: the default account and a root token holding `*`, whose secret is returned once. */
import { TesseraError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { DEFAULT_TOKEN_PREFIX, generateSecret } from '../../core/token-format.js';
import { defaultAccountPolicy, type AccountId, type AccountRecord, type Scope, type TokenId } from '../../core/types.js';
import { nowIso, type ServiceContext } from '../context.js';
import { insertNewToken, newTokenRecord } from '../tokens/token-record.js';
import { toTokenView } from '../tokens/token-view.js';
import type { CreatedToken } from '../tokens/create-token.js';

export interface BootstrapResult {
  account: AccountRecord;
  root: CreatedToken;
}

/** Creates the default account and root token, or returns `null` when the database already has an account. */
export async function bootstrap(ctx: ServiceContext): Promise<BootstrapResult | null> {
  const nowMs = ctx.clock.now();
  const now = nowIso(ctx);
  const secret = generateSecret(DEFAULT_TOKEN_PREFIX, ctx.randomBytes);
  return ctx.store.transaction(async (tx) => {
    if (await tx.getDefaultAccount()) return null;
    const account: AccountRecord = {
      id: newId('account', ctx.randomBytes) as AccountId,
      name: 'default',
      tokenPrefix: DEFAULT_TOKEN_PREFIX,
      policy: { ...defaultAccountPolicy },
      createdAt: now,
    };
    const token = newTokenRecord(
      {
        id: newId('token', ctx.randomBytes) as TokenId,
        accountId: account.id,
        kind: 'standard',
        name: 'root',
        description: 'Created at first start. Holds every permission: keep it offline and create narrower tokens.',
        scopes: ['*' as Scope],
        createdBy: null,
        parentId: null,
      },
      secret,
      nowMs,
      ctx.randomBytes,
    );
    await tx.insertAccount(account);
    await tx.appendAudit({ accountId: account.id, actor: null, at: now, before: null, action: 'account.create', targetType: 'account', targetId: account.id, after: account });
    await insertNewToken(tx, null, token, secret, nowMs);
    return { account, root: { token: toTokenView(token, nowMs), secret } };
  });
}

/** `tessera init`: like the first start, but refuses when the database is already initialised. */
export async function initialise(ctx: ServiceContext): Promise<BootstrapResult> {
  const result = await bootstrap(ctx);
  if (!result) throw new TesseraError('CONFLICT', 'the database is already initialised; its root token was shown at that time');
  return result;
}
