/**
 * Usage control of a token or an identity (issue 19): credits set and added, each audited (read back in the token and
 * identity views), and the current state of the rate limits a check would consume.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HttpContext } from '../http-context.js';
import { CreditsInput, CreditsView, errorResponses, security } from '../schemas.js';
import { RateLimitStateSchema } from './verify-route.js';

const HolderParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const AddBody = Type.Object({
  amount: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'Credits to add to the balance (after any refill due)' }),
}, { additionalProperties: false });

const RateLimitStates = Type.Object({
  ratelimits: Type.Array(RateLimitStateSchema, { description: 'Each named limit with what is left in its current window and when that ends' }),
});

const holders = [
  {
    holder: 'token', base: '/v1/tokens/:id', tag: 'tokens', who: 'tokens:update and at least the token’s permissions; never the caller’s own token or one that made it',
    reader: 'tokens:read (a token may read its own)',
    limits: 'Every named rate limit a check of this token consumes: its own, those of the tokens that made it, and those of its identity and theirs',
  },
  {
    holder: 'identity', base: '/v1/identities/:id', tag: 'identities', who: 'identities:write; never the identity of the caller’s token or of one that made it',
    reader: 'identities:read',
    limits: 'The identity’s rate limits, shared by all its tokens',
  },
] as const;

export function creditRoutes(http: HttpContext): FastifyPluginAsyncTypebox {
  const { tessera } = http;
  return async (app) => {
    for (const { holder, base, tag, who, reader, limits } of holders) {
      const path = `${base}/credits`;
      app.put(path, {
        schema: {
          tags: [tag], security, summary: `Set the ${holder}’s credits`, params: HolderParams,
          description: `Sets the remaining count; \`refill\` and \`strict\`, when given, replace the rule (otherwise it is kept). Audited as \`${holder}.credits\`. Needs ${who}.`,
          body: CreditsInput,
          response: { 200: CreditsView, ...errorResponses },
        },
      }, async (request) => tessera.setCredits(await http.authenticate(request), holder, request.params.id, request.body));

      app.post(`${path}/add`, {
        schema: {
          tags: [tag], security, summary: `Add to the ${holder}’s credits`, params: HolderParams,
          description: `Adds to the stored balance (409 CONFLICT when it has no credits: set them first). Audited as \`${holder}.credits\`. Needs ${who}.`,
          body: AddBody,
          response: { 200: CreditsView, ...errorResponses },
        },
      }, async (request) => tessera.addCredits(await http.authenticate(request), holder, request.params.id, request.body.amount));

      app.get(`${base}/ratelimits`, {
        schema: {
          tags: [tag], security, summary: `The current state of the ${holder}’s rate limits`, params: HolderParams,
          description: `${limits}, as a check would find them now (remaining in the current window, and when it ends), read without consuming anything. With several instances on PostgreSQL the counts are synced first. Needs ${reader}.`,
          response: { 200: RateLimitStates, ...errorResponses },
        },
      }, async (request) => {
        const actor = await http.authenticate(request);
        return { ratelimits: await (holder === 'token' ? tessera.tokenRateLimits(actor, request.params.id) : tessera.identityRateLimits(actor, request.params.id)) };
      });
    }
  };
}
