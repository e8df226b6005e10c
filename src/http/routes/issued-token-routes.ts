/** Issued JWTs: POST /v1/auth/issue-token, the JWKS that verifies them offline, and signing key rotation. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { signingAlgs } from '../../service/index.js';
import type { HttpContext } from '../http-context.js';
import { errorResponses, security } from '../schemas.js';

/** Offline verifiers may cache the key set this long; a token signed by a key they lack makes them fetch again. */
const JWKS_MAX_AGE_SECONDS = 300;

const KeyView = Type.Object({
  kid: Type.String(),
  alg: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  retiredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  notAfter: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export function issuedTokenRoutes(http: HttpContext): FastifyPluginAsyncTypebox {
  const { tessera } = http;
  return async (app) => {
    app.post('/v1/auth/issue-token', {
      schema: {
        tags: ['issued tokens'], security, summary: 'Issue a short-lived signed token (JWT)',
        description:
          'Needs `tokens:issue`, and every scope asked for within the caller’s own permissions and the catalog’s ' +
          '`requires` rules. The result is an RFC 9068 JWT (`typ: at+jwt`, EdDSA by default, `kid` header; `sub` = the ' +
          'caller’s profile id, `client_id` = the caller’s token id, `aud` = the account id), verifiable offline with ' +
          '`/.well-known/jwks.json`, and accepted by verify, authorize and introspection while the caller’s token is live. ' +
          '`expires_in` is seconds or a duration ("2 days", "10h", "1y"; default 1 hour), capped by the account’s ' +
          '`maxLifetime` and the caller’s own expiry.',
        body: Type.Object({
          scope: Type.String({ minLength: 1, maxLength: 4096, description: 'Space-separated scopes', examples: ['user_id:pigeon read:messages'] }),
          expires_in: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 100 })])),
        }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            token: Type.String(),
            token_type: Type.Literal('Bearer'),
            expires_in: Type.Integer({ description: 'Seconds, after caps' }),
            expiresAt: Type.String({ format: 'date-time' }),
            scope: Type.String(),
          }),
          ...errorResponses,
        },
      },
    }, async (request, reply) => {
      const actor = await http.authenticate(request);
      const issued = await tessera.issueToken(actor, request.body);
      reply.header('Cache-Control', 'no-store');
      return issued;
    });

    app.get('/.well-known/jwks.json', {
      schema: {
        tags: ['issued tokens'], summary: 'Public keys of issued tokens (JWK Set)',
        description: `Every key that still verifies, current and retired. Cacheable for ${JWKS_MAX_AGE_SECONDS} s.`,
        response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) },
      },
    }, async (_request, reply) => {
      reply.header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
      return tessera.jwks();
    });

    app.post('/v1/keys/rotate', {
      schema: {
        tags: ['issued tokens'], security, summary: 'Rotate the account’s signing key',
        description:
          'Needs `account:manage`. A new key signs from now on; the previous ones stay in the JWKS and keep verifying ' +
          'until every token they signed has expired (366 days at most). Audited as `key.rotate`.',
        body: Type.Object({ alg: Type.Optional(Type.Union(signingAlgs.map((a) => Type.Literal(a)), { description: 'Default: the current key’s, else EdDSA' })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ key: KeyView, retired: Type.Array(Type.Object({ kid: Type.String(), notAfter: Type.String({ format: 'date-time' }) })) }),
          ...errorResponses,
        },
      },
      // The body is optional.
      preValidation: async (request) => {
        request.body ??= {};
      },
    }, async (request) => tessera.rotateSigningKey(await http.authenticate(request), request.body));
  };
}
