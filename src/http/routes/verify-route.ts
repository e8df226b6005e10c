/** POST /v1/verify: 200 for every well-formed request, with the outcome as a code. */
import { requestAddress } from '../client-address.js';
import { Type, type Static } from '@sinclair/typebox';
import fastJsonStringify from 'fast-json-stringify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkScopes, toLimitStateView, type IdentityRef, type LimitState, type VerifyInput, type VerifyResult } from '../../service/index.js';
import type { TokenRecord } from '../../core/types.js';
import { integerText } from '../../core/integer-text.js';
import { presentedCredential } from '../credentials.js';
import type { HttpContext } from '../http-context.js';
import { errorResponses, ScopeString } from '../schemas.js';
import { parseQueryField } from './catalog-routes.js';
import { checkCost } from '../../core/usage-limits.js';

const VerifyCodeSchema = Type.Union(
  ['VALID', 'NOT_FOUND', 'NOT_YET_VALID', 'EXPIRED', 'REVOKED', 'DISABLED', 'IP_NOT_ALLOWED', 'INSUFFICIENT_SCOPE', 'RATE_LIMITED', 'USAGE_EXCEEDED'].map((c) => Type.Literal(c)),
);

const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);

/** One named rate limit's state: after a check (verify), or now (`GET …/ratelimits`). */
export const RateLimitStateSchema = Type.Object({
  name: Type.String(),
  holder: Type.Union([Type.Literal('token'), Type.Literal('identity')], { description: 'Whose limit: a token’s (the token’s own or one that made it) or the identity’s' }),
  holderId: Type.String(),
  limit: Type.Integer(),
  duration: Type.Integer({ description: 'Window length in seconds' }),
  remaining: Type.Integer(),
  reset: Type.String({ format: 'date-time', description: 'When the current window ends' }),
});

export const VerifyResponse = Type.Object({
  valid: Type.Boolean(),
  code: VerifyCodeSchema,
  tokenId: Nullable(Type.String()),
  accountId: Nullable(Type.String()),
  profileId: Nullable(Type.String()),
  name: Nullable(Type.String()),
  scopes: Type.Array(Type.String()),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
  missingScopes: Type.Optional(Type.Array(Type.String())),
  denied: Type.Optional(Type.Union(['scopes', 'query', 'resource', 'endpoint'].map((c) => Type.Literal(c)), { description: 'Which check failed, for INSUFFICIENT_SCOPE' })),
  reason: Type.Optional(Type.String()),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  identity: Type.Optional(Type.Union([Type.Object({ id: Type.String(), externalId: Type.String() }), Type.Null()], {
    description: 'The identity the token belongs to (null: none); told for VALID and RATE_LIMITED',
  })),
  ratelimits: Type.Optional(Type.Array(RateLimitStateSchema, { description: 'Each limit the check consumed (or, for RATE_LIMITED, would have): the state after it' })),
  credits: Type.Optional(Type.Object({
    remaining: Type.Integer({ description: 'The least credits left among the balances the check spent (for USAGE_EXCEEDED: fewer than its cost)' }),
  }, { description: 'Told when the token, its identity or a token that made it has credits (docs/limits.md)' })),
}, { $id: 'VerifyResult' });

/**
 * The raw-connection path's serializer (gateway/verify-answer.ts, `serializeVerifyAnswer`) is fast-json-stringify of
 * `VerifyResponse` with each union written as the one type the answer's own types already guarantee (a string among
 * literals as a string; a type or null as that type, nullable). The same bytes as the route's serializer (a test
 * compares them), without calling an Ajv validator per union per answer to pick its branch: a limited answer has two
 * more unions (`identity`, each limit's `holder`), each call allocating as it validates (issue 19 item 6). The
 * published schema is left as it is.
 */
export const serializeVerifyAnswer = fastJsonStringify(withoutUnions(VerifyResponse) as typeof VerifyResponse);

/** The usage-control fields close the answer (the schema's last three properties, in this order): `verifyAnswerText`. */
const TAIL = ['identity', 'ratelimits', 'credits'] as const;
if (Object.keys(VerifyResponse.properties).slice(-TAIL.length).join() !== TAIL.join()) {
  throw new Error(`VerifyResponse must end with ${TAIL.join(', ')}: verifyAnswerText writes them last`);
}
const serializeHead = fastJsonStringify(withoutUnions({ ...VerifyResponse, properties: Object.fromEntries(
  Object.entries(VerifyResponse.properties).filter(([key]) => !(TAIL as readonly string[]).includes(key)),
) }) as typeof VerifyResponse);

/**
 * The raw path's answer to a check: the bytes of `serializeVerifyAnswer(toVerifyResponse(result))` (a test compares
 * them); a passing check's answer is made from texts kept between checks. Its head (the token as the answer tells it)
 * is written once per token record: a record is never changed in place (a change to a token caches a new one). Its usage fields
 * are written from the verdict's own states, each limit's unchanging part kept as text: fast-json-stringify's checks of
 * every character of every string and every number of a limit's state cost a limited check as much as deciding it did
 * (issue 19 item 6).
 */
export function verifyAnswerText(result: VerifyResult): AnswerText {
  if (result.code !== 'VALID') return textOf(serializeVerifyAnswer(toVerifyResponse(result)));
  let head = validHeads.get(result.token);
  if (head === undefined) {
    const open: string = serializeHead(toVerifyResponse({ valid: true, code: 'VALID', token: result.token, limits: result.limits })).slice(0, -1);
    head = { open, bytes: Buffer.byteLength(open), whole: textOf(`${open}}`) };
    validHeads.set(result.token, head);
  }
  const { identity, ratelimits, credits } = result;
  if (identity === undefined && ratelimits === undefined && credits === undefined) return head.whole;
  const tail = usageTail(identity, ratelimits, credits);
  if (tail === undefined) return textOf(serializeVerifyAnswer(toVerifyResponse(result)));
  const text = `${head.open}${tail.text}}`;
  // Counted from the parts' own byte counts: measuring the joined text would first copy it into one piece.
  return { text, bytes: tail.ascii ? head.bytes + tail.text.length + 1 : Buffer.byteLength(text) };
}

/** An answer's text and its length in UTF-8 bytes (its `content-length`). */
export interface AnswerText {
  text: string;
  bytes: number;
}

function textOf(text: string): AnswerText {
  return { text, bytes: Buffer.byteLength(text) };
}

/** A token's passing answer up to its usage fields (`open`, and its bytes), and whole when it has none. */
const validHeads = new WeakMap<TokenRecord, { open: string; bytes: number; whole: AnswerText }>();

/** A code unit beyond ASCII: text without any is one byte a character. */
const BEYOND_ASCII = /[\u0080-\uffff]/;

/**
 * A limit's text in an answer, but for what it has left: `{"name":…,"holder":…,"holderId":…,"limit":…,"duration":…,
 * "remaining":` and, for its current window, `,"reset":"…"}`.
 */
interface LimitText {
  name: string;
  holder: string;
  holderId: string;
  limit: number;
  durationMs: number;
  head: string;
  /** Whether `head` is ASCII (one byte a character). */
  ascii: boolean;
  resetAtMs: number;
  reset: string;
}

/** The limit's text, kept in its slot (the same object at every check of the limit). */
function limitText(state: LimitState): LimitText {
  const { name, holder, holderId, limit, durationMs } = state;
  const kept = state.slot.text as LimitText | undefined;
  if (kept !== undefined && kept.name === name && kept.holder === holder && kept.holderId === holderId && kept.limit === limit && kept.durationMs === durationMs) return kept;
  const view = toLimitStateView(state);
  const head = `{"name":${JSON.stringify(view.name)},"holder":${JSON.stringify(view.holder)},"holderId":${JSON.stringify(view.holderId)},"limit":${view.limit},"duration":${view.duration},"remaining":`;
  const made: LimitText = { name, holder, holderId, limit, durationMs, head, ascii: !BEYOND_ASCII.test(head), resetAtMs: Number.NaN, reset: '' };
  state.slot.text = made;
  return made;
}

/**
 * `,"identity":…,"ratelimits":[…],"credits":{…}` as fast-json-stringify writes them, and whether that is all ASCII;
 * undefined for a number that is not an integer (fast-json-stringify then writes them).
 */
function usageTail(identity: IdentityRef | null | undefined, ratelimits: readonly LimitState[] | undefined, credits: { remaining: number } | undefined): { text: string; ascii: boolean } | undefined {
  let text = '';
  let ascii = true;
  if (identity !== undefined) {
    text += identity === null ? ',"identity":null' : `,"identity":{"id":${JSON.stringify(identity.id)},"externalId":${JSON.stringify(identity.externalId)}}`;
    if (identity !== null) ascii = !BEYOND_ASCII.test(text);
  }
  if (ratelimits !== undefined) {
    text += ',"ratelimits":[';
    for (let i = 0; i < ratelimits.length; i++) {
      const state = ratelimits[i]!;
      if (!Number.isInteger(state.limit) || !Number.isInteger(state.remaining)) return undefined;
      const limit = limitText(state);
      if (limit.resetAtMs !== state.resetAtMs) {
        limit.reset = `,"reset":${JSON.stringify(toLimitStateView(state).reset)}}`;
        limit.resetAtMs = state.resetAtMs;
      }
      if (!limit.ascii) ascii = false;
      text += `${i === 0 ? '' : ','}${limit.head}${integerText(state.remaining)}${limit.reset}`;
    }
    text += ']';
  }
  if (credits !== undefined) {
    if (!Number.isInteger(credits.remaining)) return undefined;
    text += `,"credits":{"remaining":${integerText(credits.remaining)}}`;
  }
  return { text, ascii };
}

function withoutUnions(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutUnions);
  if (schema === null || typeof schema !== 'object') return schema;
  const { anyOf, ...rest } = schema as { anyOf?: Record<string, unknown>[] };
  if (anyOf !== undefined) {
    if (anyOf.every((option) => option.type === 'string' && 'const' in option)) return { ...rest, type: 'string' };
    const typed = anyOf.filter((option) => option.type !== 'null');
    if (anyOf.length === 2 && typed.length === 1) return { ...rest, ...(withoutUnions(typed[0]) as object), nullable: true };
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, withoutUnions(value)]));
}

/** The route's body, exported so the raw-connection path (gateway/verify-answer.ts) validates with exactly it. */
export const VerifyBody = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 4096 }),
  scopes: Type.Optional(Type.Array(ScopeString, { maxItems: 100 })),
  query: Type.Optional(Type.String({ maxLength: 4096, description: 'Permission query, e.g. `message:send OR (sms:message:send AND sms:logs:read)`' })),
  resource: Type.Optional(Type.Object({
    type: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 200, description: '`*` for every resource of the type' }), action: Type.String({ maxLength: 100 }),
  }, { additionalProperties: false, description: 'An action on a resource of a catalog resource type' })),
  endpoint: Type.Optional(Type.Object({
    method: Type.String({ maxLength: 10 }), path: Type.String({ maxLength: 2048 }),
  }, { additionalProperties: false, description: 'A call to check against the catalog’s endpoints (any one of its scopes suffices)' })),
  context: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 200 }), { description: 'Values from the call (e.g. user_id) for scopes with `requires`' })),
  ip: Type.Optional(Type.String({ maxLength: 100 })),
  limits: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20, description: 'Names of the rate limits this check consumes (default: all of the token’s, its identity’s and its creators’)' })),
  cost: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Units this check consumes from each limit, and credits it spends (default 1)' })),
}, { additionalProperties: false });

/** The check a body asks for; throws the route's errors (a bad scope or query) for the caller to render. */
export function verifyInput(body: Static<typeof VerifyBody>, address: string): VerifyInput {
  const { token: secret, query, resource, endpoint, context, ip } = body;
  const input: VerifyInput = { secret, scopes: checkScopes(body.scopes ?? [], 'scopes'), ip: ip ?? address };
  if (query !== undefined) input.query = parseQueryField(query);
  if (resource) input.resource = resource;
  if (endpoint) input.endpoint = endpoint;
  if (context) input.context = context;
  if (body.limits !== undefined || body.cost !== undefined) {
    input.usage = { ...(body.limits ? { limits: body.limits } : {}), cost: checkCost(body.cost) };
  }
  return input;
}

export function verifyRoute(http: HttpContext): FastifyPluginAsyncTypebox {
  const { tessera, metrics } = http;
  return async (app) => {
    // At debug, one line per check with its outcome (beside Fastify's request lines); read once, not per request.
    const checkLines = app.log.level === 'debug' || app.log.level === 'trace';
    app.post('/v1/verify', {
      schema: {
        tags: ['verify'],
        summary: 'Verify a token',
        description:
          'The presented token is the only credential needed, unless its account sets `verifyRequiresPermission`; then the caller must also send its own token holding `tokens:verify`. `scopes` are all required. `ip` is the end client’s address (default: the caller’s).',
        body: VerifyBody,
        response: { 200: Type.Ref(VerifyResponse), ...errorResponses },
      },
    }, (request, reply) => {
      const started = performance.now();
      const input = verifyInput(request.body, requestAddress(request));
      const answer = (result: VerifyResult) => {
        metrics.observeVerify(result.code, (performance.now() - started) / 1000);
        if (checkLines) request.log.debug({ check: 'verify', code: result.code, tokenId: result.code === 'NOT_FOUND' ? null : result.token.id }, 'check');
        return toVerifyResponse(result);
      };
      // From memory (the usual case) the answer is sent without a promise or a tick; anything else awaits.
      const verified = tessera.verify(input);
      if (!(verified instanceof Promise) && !tessera.mayRequireVerifier(verified)) {
        void reply.send(answer(verified));
        return;
      }
      return (async () => {
        const result = await verified;
        await tessera.requireVerifier(result, () => presentedCredential(request), requestAddress(request));
        return answer(result);
      })();
    });
  };
}

/** A verify answer's body, as the route's response schema spells it (also what the CLI prints). */
export type VerifyAnswerBody = Static<typeof VerifyResponse>;

export function toVerifyResponse(result: VerifyResult): VerifyAnswerBody {
  if (result.code === 'NOT_FOUND') {
    return { valid: false, code: result.code, tokenId: null, accountId: null, profileId: null, name: null, scopes: [], expiresAt: null };
  }
  const { token } = result;
  const body: VerifyAnswerBody = {
    valid: result.valid,
    code: result.code,
    tokenId: token.id,
    accountId: token.accountId,
    profileId: token.profileId,
    name: token.name,
    scopes: token.scopes,
    expiresAt: token.expiresAt,
  };
  // Set in the schema's order (the CLI prints the object as it is), and only when told: no field is ever undefined.
  // Assigned rather than spread from per-field objects: a limited check's answer made four more objects that way.
  if (result.code === 'INSUFFICIENT_SCOPE') {
    body.missingScopes = result.missingScopes;
    body.denied = result.denied;
    body.reason = result.reason;
  }
  if (result.valid) body.metadata = token.metadata;
  if ('identity' in result && result.identity !== undefined) body.identity = result.identity;
  if ('ratelimits' in result && result.ratelimits !== undefined) body.ratelimits = result.ratelimits.map(toLimitStateView);
  if ('credits' in result && result.credits !== undefined) body.credits = { remaining: result.credits.remaining };
  return body;
}
