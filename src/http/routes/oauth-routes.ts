/** OAuth 2.0 token introspection (RFC 7662) and revocation (RFC 7009): form-encoded, the client authenticated by its token. */
import { requestAddress } from '../client-address.js';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { TesseraError } from '../../core/errors.js';
import type { PresentedCredential } from '../../service/index.js';
import { presentedCredential } from '../credentials.js';
import type { HttpContext } from '../http-context.js';
import { errorResponses } from '../schemas.js';

const FORM = 'application/x-www-form-urlencoded';

const TokenForm = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 8192, description: 'The token to introspect or revoke' }),
    token_type_hint: Type.Optional(Type.String({ maxLength: 100, description: 'Accepted and ignored: Tessera finds the token either way' })),
  },
  { description: `Sent as ${FORM}` },
);

const Introspection = Type.Object(
  {
    active: Type.Boolean(),
    scope: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
    sub: Type.Optional(Type.String()),
    token_type: Type.Optional(Type.String()),
    exp: Type.Optional(Type.Integer()),
    iat: Type.Optional(Type.Integer()),
    nbf: Type.Optional(Type.Integer()),
    iss: Type.Optional(Type.String()),
    aud: Type.Optional(Type.String()),
    jti: Type.Optional(Type.String()),
    tessera_token_id: Type.Optional(Type.String()),
    tessera_account_id: Type.Optional(Type.String()),
    tessera_identity_id: Type.Optional(Type.String({ description: 'The identity the token belongs to (docs/limits.md)' })),
    tessera_external_id: Type.Optional(Type.String({ description: 'That identity’s externalId' })),
  },
  { description: 'RFC 7662 §2.2; an inactive token gets exactly {"active":false}' },
);

const security: Array<Record<string, string[]>> = [{ bearer: [] }, { basic: [] }];

export function oauthRoutes(http: HttpContext): FastifyPluginAsyncTypebox {
  const { tessera } = http;
  return async (app) => {
    // Encapsulated: form bodies are parsed on these routes only; the rest of the API stays JSON-only.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
      const params = new URLSearchParams(body as string);
      const fields: Record<string, string> = {};
      for (const [key, value] of params) {
        // RFC 6749 §3.1: request parameters must not be included more than once.
        if (key in fields) return done(new TesseraError('BAD_REQUEST', `${key}: sent more than once`, { field: key }), undefined);
        fields[key] = value;
      }
      done(null, fields);
    });
    app.addContentTypeParser('*', (_request, _payload, done) => {
      done(new TesseraError('UNSUPPORTED_MEDIA_TYPE', `Content-Type: send ${FORM}`), undefined);
    });

    const authenticateClient = async (request: FastifyRequest) => {
      const client = clientCredential(request);
      const actor = await tessera.authenticate(client?.credential, requestAddress(request));
      if (client?.clientId !== undefined && client.clientId !== actor.tokenId) {
        throw new TesseraError('UNAUTHORIZED', 'client_id does not name the token given as client_secret');
      }
      return actor;
    };

    app.post('/oauth2/introspect', {
      schema: {
        tags: ['oauth2'], security, summary: 'Token introspection (RFC 7662)',
        description:
          `Form-encoded (${FORM}). The client authenticates with its own token holding \`tokens:introspect\`: ` +
          '`Authorization: Bearer <token>`, or `Basic` with the token id as client_id and the secret as client_secret. ' +
          'Opaque tokens and issued JWTs of the client’s account; anything else is `{"active":false}`.',
        consumes: [FORM],
        body: TokenForm,
        response: { 200: Introspection, ...errorResponses },
      },
    }, async (request, reply) => {
      const actor = await authenticateClient(request);
      const answer = await tessera.introspect(actor, request.body.token);
      reply.header('Cache-Control', 'no-store');
      return answer;
    });

    app.post('/oauth2/revoke', {
      schema: {
        tags: ['oauth2'], security, summary: 'Token revocation (RFC 7009)',
        description:
          `Form-encoded (${FORM}). The client authenticates like for introspection and needs \`tokens:revoke\` ` +
          '(and, as everywhere, at least the permissions of the token it revokes). 200 also for an unknown or ' +
          'already revoked token. Revocation is final and cascades. Issued JWTs are refused with ' +
          '`details.error = "unsupported_token_type"`: revoke the token that issued them.',
        consumes: [FORM],
        body: TokenForm,
        response: { 200: Type.Null({ description: 'Revoked, or nothing to revoke' }), ...errorResponses },
      },
    }, async (request, reply) => {
      const actor = await authenticateClient(request);
      await tessera.revokePresented(actor, request.body.token);
      return reply.code(200).header('Cache-Control', 'no-store').send(null);
    });
  };
}

/**
 * RFC 6749 §2.3.1 client authentication: HTTP Basic with form-encoded client_id and client_secret (the token
 * id and its secret; a lone token as either half also works), else the usual Bearer / X-API-Key.
 */
function clientCredential(request: FastifyRequest): { credential: PresentedCredential; clientId?: string } | undefined {
  const authorization = request.headers.authorization;
  const basic = authorization === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
  if (!basic) {
    const credential = presentedCredential(request);
    return credential ? { credential } : undefined;
  }
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const formDecode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  const user = formDecode(colon === -1 ? decoded : decoded.slice(0, colon));
  const password = colon === -1 ? '' : formDecode(decoded.slice(colon + 1));
  if (password === '') return { credential: { scheme: 'bearer', secret: user } };
  if (user === '') return { credential: { scheme: 'bearer', secret: password } };
  return { credential: { scheme: 'bearer', secret: password }, clientId: user };
}
