/** Credits of a token or an identity (issue 19): set and add, each audited; read back in the token and identity views. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HttpContext } from '../http-context.js';
import { CreditsInput, CreditsView, errorResponses, security } from '../schemas.js';

const HolderParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const AddBody = Type.Object({
  amount: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'Credits to add to the balance (after any refill due)' }),
}, { additionalProperties: false });

const holders = [
  { holder: 'token', path: '/v1/tokens/:id/credits', tag: 'tokens', who: 'tokens:update and at least the token’s permissions; never the caller’s own token or one that made it' },
  { holder: 'identity', path: '/v1/identities/:id/credits', tag: 'identities', who: 'identities:write; never the identity of the caller’s token or of one that made it' },
] as const;

export function creditRoutes(http: HttpContext): FastifyPluginAsyncTypebox {
  const { tessera } = http;
  return async (app) => {
    for (const { holder, path, tag, who } of holders) {
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
    }
  };
}
