/** /v1/account: the caller's account and its policy. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HttpContext } from '../http-context.js';
import { MAX_DORMANT_DAYS, MAX_POLICY_LIFETIME_SECONDS } from '../../service/index.js';
import { errorResponses, security } from '../schemas.js';

const Policy = Type.Object({
  permissionsEditable: Type.Boolean({ description: 'Scopes of existing tokens may be edited (default false)' }),
  maxLifetimeSeconds: Type.Union([Type.Integer({ minimum: 60, maximum: MAX_POLICY_LIFETIME_SECONDS }), Type.Null()], { description: `Longest token lifetime in seconds, 60 to ${MAX_POLICY_LIFETIME_SECONDS} (100 years); null = unlimited` }),
  allowAppScheme: Type.Boolean({ description: 'Accept Authorization: App <token>' }),
  allowQueryToken: Type.Boolean({ description: 'Accept ?access_token=' }),
  verifyRequiresPermission: Type.Boolean({ description: 'Verify callers must hold tokens:verify' }),
  leakResponse: Type.Union([Type.Literal('disable'), Type.Literal('revoke')], {
    description: 'What a leak report (POST /v1/leaks) does to a live token of this account it names: disable (default, reversible) or revoke (final, cascades); see docs/leaks.md',
  }),
  dormantTokens: Type.Union([
    Type.Object({
      disableAfterDays: Type.Integer({ minimum: 1, maximum: MAX_DORMANT_DAYS, description: 'Disable a token unused (not checked since its last use, or since it was created) for this many days' }),
      warnBeforeDays: Type.Integer({ minimum: 0, description: 'Send the token.unused webhook event this many days before disabling (less than disableAfterDays)' }),
    }, { additionalProperties: false }),
    Type.Null(),
  ], { description: 'Dormant tokens are disabled by the scheduler (reason dormant); null (default) = off; see docs/webhooks.md' }),
});

export const AccountSchema = Type.Object({
  id: Type.String(), name: Type.String(), tokenPrefix: Type.String(), policy: Policy, createdAt: Type.String({ format: 'date-time' }),
}, { $id: 'Account' });


const Caller = Type.Object({
  tokenId: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  deny: Type.Array(Type.String()),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'The earliest expiry on the calling token’s chain of creators: tokens it creates expire at or before this, and inherit it when expiresAt is omitted',
  }),
  allowedIps: Type.Array(Type.String(), {
    description: 'The calling token’s innermost address list on its chain: tokens it creates inherit it when allowedIps is omitted and must stay within it; empty: any address',
  }),
}, { description: 'The calling token and what it may grant (docs/security.md)' });

export function accountRoutes(http: HttpContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/account', {
      schema: {
        tags: ['account'], security, summary: 'The caller’s account and policy, and the calling token’s limits',
        response: { 200: Type.Intersect([Type.Ref(AccountSchema), Type.Object({ caller: Type.Union([Caller, Type.Null()]) })]), ...errorResponses },
      },
    }, async (request) => {
      const actor = await http.authenticate(request);
      const [account, caller] = await Promise.all([http.tessera.getAccount(actor), http.tessera.describeCaller(actor)]);
      return { ...account, caller };
    });

    app.patch('/v1/account/policy', {
      schema: {
        tags: ['account'], security, summary: 'Change the account policy (needs account:manage)',
        body: Type.Partial(Policy, { additionalProperties: false }),
        response: { 200: Type.Ref(AccountSchema), ...errorResponses },
      },
    }, async (request) => http.tessera.updateAccountPolicy(await http.authenticate(request), request.body));
  };
}
