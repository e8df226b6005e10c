/** /v1/leaks: leak reports in GitHub's secret scanning partner format, and the scanner's lookups. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { TesseraError, badRequest } from '../../core/errors.js';
import type { LeakReporter } from '../../service/index.js';
import { presentedCredential } from '../credentials.js';
import type { HttpContext } from '../http-context.js';
import { errorResponses, security } from '../schemas.js';

const JSON_TYPE = 'application/json';
/** GitHub sends many matches in one report; a megabyte holds thousands of them. */
export const LEAK_REPORT_BODY_LIMIT = 1024 * 1024;
export const MAX_LEAK_REPORT_ITEMS = 1000;
export const MAX_LEAK_CHECKS = 100;

const KEY_ID_HEADER = 'github-public-key-identifier';
const SIGNATURE_HEADER = 'github-public-key-signature';

const LeakReportItem = Type.Object({
  token: Type.String({ maxLength: 4096, description: 'The string the scanner found' }),
  type: Type.String({ maxLength: 200, description: 'The secret type the scanner matched, e.g. tessera_token' }),
  url: Type.Optional(Type.String({ maxLength: 4096, description: 'Where it was found (may be empty); kept in the audit entry' })),
  source: Type.Optional(Type.String({ maxLength: 200, description: 'GitHub’s kind of place: content, commit, issue_comment, npm…' })),
}, { description: 'One match; other fields a scanner adds are accepted and ignored' });

const LeakVerdict = Type.Object({
  token_raw: Type.String({ description: 'The reported string, as sent' }),
  token_type: Type.String(),
  label: Type.Union([Type.Literal('true_positive'), Type.Literal('false_positive')], {
    description: 'true_positive: a current Tessera secret of this server (now disabled or revoked if it was live); false_positive: anything else, and nothing changed',
  }),
});

const LeakCheck = Type.Object({
  hint: Type.String({ description: 'The secret’s public hint' }),
  tokenId: Type.Union([Type.String(), Type.Null()], { description: 'null when the secret is not a current one of the caller’s account' }),
  status: Type.Union(['active', 'disabled', 'revoked', 'expired', 'not_yet_valid', 'unknown'].map((s) => Type.Literal(s)), {
    description: 'The token’s status, its chain of creators included; unknown for anything not a current secret of the caller’s account',
  }),
  live: Type.Boolean({ description: 'The secret works now or could again without a new one (active, disabled, not_yet_valid)' }),
});

const reportSecurity: Array<Record<string, string[]>> = [...security, { githubSignature: [] }];

export function leakRoutes(http: HttpContext): FastifyPluginAsyncTypebox {
  const { tessera } = http;
  return async (app) => {
    // The signature covers the raw bytes, so they are kept as received; parsing them cannot change what was signed.
    const rawBodies = new WeakMap<FastifyRequest, Buffer>();
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(JSON_TYPE, { parseAs: 'buffer', bodyLimit: LEAK_REPORT_BODY_LIMIT }, (request, body, done) => {
      rawBodies.set(request, body as Buffer);
      parseJson(request, (body as Buffer).toString('utf8'), done);
    });
    app.addContentTypeParser('*', (_request, _payload, done) => {
      done(new TesseraError('UNSUPPORTED_MEDIA_TYPE', `Content-Type: send ${JSON_TYPE}`), undefined);
    });

    const reporterOf = async (request: FastifyRequest): Promise<LeakReporter> => {
      const keyId = request.headers[KEY_ID_HEADER];
      const signature = request.headers[SIGNATURE_HEADER];
      if (keyId === undefined && signature === undefined) return { kind: 'token', actor: await http.authenticate(request) };
      if (typeof keyId !== 'string' || typeof signature !== 'string') {
        throw new TesseraError('UNAUTHORIZED', 'Github-Public-Key-Identifier and Github-Public-Key-Signature: send each once, or neither and a token', { field: KEY_ID_HEADER });
      }
      if (presentedCredential(request) !== undefined) {
        throw badRequest('Authorization', 'a leak report is authenticated by a signature or by a token, not both');
      }
      return tessera.signedLeakReporter(keyId, signature, rawBodies.get(request) ?? Buffer.alloc(0));
    };

    app.post('/v1/leaks', {
      schema: {
        tags: ['leaks'], security: reportSecurity, summary: 'Report leaked secrets (GitHub secret scanning partner format)',
        description:
          'A JSON array of matches `{token, type, url, source}` as GitHub’s secret scanning sends them, answered with ' +
          '`{token_raw, token_type, label}` per match, in order. Authenticated either by GitHub’s signature (headers ' +
          '`Github-Public-Key-Identifier` and `Github-Public-Key-Signature`: ECDSA P-256 SHA-256 over the raw body, ' +
          'checked with a key of `TESSERA_LEAK_REPORT_PUBLIC_KEYS`) or by a token holding `leaks:report`. Each live ' +
          'Tessera secret reported, of any account, is disabled (or revoked, by its account’s `leakResponse` policy) ' +
          'at once on every instance, audited with the url, source and reporter, never the secret. Anything else is a ' +
          `false_positive and changes nothing. At most ${MAX_LEAK_REPORT_ITEMS} matches and ${LEAK_REPORT_BODY_LIMIT} bytes. ` +
          'A replayed report changes nothing more. See docs/leaks.md.',
        body: Type.Array(LeakReportItem, { maxItems: MAX_LEAK_REPORT_ITEMS }),
        response: { 200: Type.Array(LeakVerdict), ...errorResponses },
      },
    }, async (request, reply) => {
      const reporter = await reporterOf(request);
      const verdicts = await tessera.reportLeaks(reporter, request.body);
      reply.header('Cache-Control', 'no-store');
      return verdicts;
    });

    app.post('/v1/leaks/check', {
      schema: {
        tags: ['leaks'], security, summary: 'Look up found secrets: token id and status (needs tokens:read)',
        description:
          'What `tessera scan --url` asks about the secrets it found. Each secret gets its hint, and for a current secret of ' +
          'the caller’s account its token id and status; any other string, or another account’s secret, is `unknown`. ' +
          'Changes nothing and records no usage.',
        body: Type.Object({
          tokens: Type.Array(Type.String({ maxLength: 4096 }), { maxItems: MAX_LEAK_CHECKS, description: 'Secrets found by a scan' }),
        }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(LeakCheck) }), ...errorResponses },
      },
    }, async (request, reply) => {
      const answer = await tessera.checkLeaks(await http.authenticate(request), request.body.tokens);
      reply.header('Cache-Control', 'no-store');
      return answer;
    });
  };
}
