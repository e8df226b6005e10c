/** TypeBox schemas of the HTTP API: they validate requests, serialise responses and become the OpenAPI document. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MAX_SCOPE_LENGTH } from '../core/scope.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time', description: 'RFC 3339 date-time, no later than 9999-12-31T23:59:59Z' });
const dateTime = (rule: string) => Type.String({ format: 'date-time', description: `RFC 3339 date-time, no later than 9999-12-31T23:59:59Z. ${rule}` });

export const ErrorBody = Type.Object(
  {
    requestError: Type.Object({
      serviceException: Type.Object({
        messageId: Type.String({ description: 'Stable error code, see docs/errors.md', examples: ['FORBIDDEN'] }),
        text: Type.String({ description: 'What went wrong; names the field for BAD_REQUEST' }),
        details: Type.Optional(Type.Unknown()),
      }),
    }),
  },
  { $id: 'Error', description: 'The one error envelope of every Tessera response' },
);

export const Metadata = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Free JSON object, at most 4096 bytes serialised and 32 levels deep',
});

/** A named rate limit as a caller sets it (docs/limits.md). */
export const RateLimitInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 50, description: 'Unique per token or identity: A-Z, a-z, 0-9, `_`, `.`, `-`, starting with a letter or digit', examples: ['per-minute'] }),
  limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Units of cost allowed per window' }),
  duration: Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 100 })], { description: 'Window: seconds, or a duration such as "1m", "1h", "1 day" (at most 366 days)', examples: ['1m'] }),
}, { additionalProperties: false });
export const RateLimitList = Type.Array(RateLimitInput, { maxItems: 10, description: 'Named rate limits, decided in memory at every check (docs/limits.md)' });

/** Credits as a caller sets them (docs/limits.md). */
export const CreditRefillInput = Type.Object({
  amount: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'The remaining count each refill sets (unused credits do not pile up)' }),
  interval: Type.Optional(Type.Union([Type.Integer({ minimum: 60 }), Type.String({ minLength: 1, maxLength: 100 })], { description: 'Every interval from the epoch: seconds or a duration such as "1h", "1 day" (1 minute to 366 days)' })),
  monthlyOn: Type.Optional(Type.Integer({ minimum: 1, maximum: 31, description: 'Or on this day of every month, 00:00 UTC (the last day of a shorter month)' })),
}, { additionalProperties: false, description: 'Give interval or monthlyOn' });

export const CreditsInput = Type.Object({
  remaining: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, description: 'Credits left; each recorded check spends its cost' }),
  refill: Type.Optional(Type.Union([CreditRefillInput, Type.Null()])),
  strict: Type.Optional(Type.Boolean({ description: 'One atomic database update per check instead of a decision in memory: exact across instances, slower (docs/limits.md)' })),
}, { additionalProperties: false });

export const CreditsView = Type.Object({
  remaining: Type.Integer({ description: 'The stored balance (refilled when due); consumption decided in memory reaches it within a flush interval' }),
  refill: Nullable(Type.Object({ amount: Type.Integer(), interval: Type.Optional(Type.Integer({ description: 'Seconds' })), monthlyOn: Type.Optional(Type.Integer()) })),
  strict: Type.Boolean(),
});

export const RateLimitView = Type.Object({
  name: Type.String(),
  limit: Type.Integer(),
  duration: Type.Integer({ description: 'Window length in seconds' }),
});

export const TokenView = Type.Object(
  {
    id: Type.String({ examples: ['tok_4hF9sWq2ZrT6yLpA1cNv0b'] }),
    kind: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    profileId: Nullable(Type.String({ description: 'The identity the token acts as (a communications platform profile)' })),
    scopes: Type.Array(Type.String()),
    deny: Type.Array(Type.String()),
    templates: Type.Array(Type.String()),
    hint: Type.String({ description: 'Non-secret display form of the secret', examples: ['tsr_AbCd…wXyZ'] }),
    status: Type.Union(
      ['active', 'disabled', 'revoked', 'expired', 'not_yet_valid'].map((s) => Type.Literal(s)),
    ),
    enabled: Type.Boolean(),
    createdAt: DateTime,
    updatedAt: DateTime,
    validFrom: Nullable(DateTime),
    expiresAt: Nullable(DateTime),
    revokedAt: Nullable(DateTime),
    lastUsedAt: Nullable(DateTime),
    useCount: Type.Integer(),
    allowedIps: Type.Array(Type.String()),
    createdBy: Nullable(Type.String()),
    parentId: Nullable(Type.String()),
    metadata: Metadata,
    identityId: Nullable(Type.String({ description: 'The identity (idn_…) the token belongs to; its limits are shared by all its tokens' })),
    limits: Type.Array(RateLimitView, { description: 'The token’s own rate limits; each check also consumes those of its identity and of the tokens that made it' }),
    credits: Type.Union([CreditsView, Type.Null()], { description: 'The token’s own credits; each check also spends those of its identity and of the tokens that made it' }),
    version: Type.Integer({ description: 'Increases on every change; send it as If-Match to PATCH safely' }),
  },
  { $id: 'Token' },
);

/** One scope as the service accepts it (`MAX_SCOPE_LENGTH`, the same bound as a catalog's patterns). */
export const ScopeString = Type.String({ minLength: 1, maxLength: MAX_SCOPE_LENGTH });
const ScopeList = (description: string) => Type.Array(ScopeString, { description, maxItems: 500 });

export const CreateTokenBody = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'Chosen id, [A-Za-z0-9_]{1,50}, unique in the account; generated (tok_…) when absent' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    profileId: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    scopes: ScopeList('Permissions granted; a token can only grant what its creator holds'),
    deny: Type.Optional(ScopeList('Permissions withheld even where a scope would grant them; deny wins')),
    templates: Type.Optional(Type.Array(Type.String(), { description: 'Catalog permission sets to start from' })),
    validFrom: Type.Optional(Nullable(DateTime)),
    expiresAt: Type.Optional(Nullable(dateTime('At or before the creating token’s chain expiry (GET /v1/account → caller.expiresAt), which it inherits when omitted; null (never) only where nothing on that chain expires.'))),
    allowedIps: Type.Optional(Type.Array(Type.String(), {
      description: 'IPv4/IPv6 addresses or CIDRs; empty = any (only where the creating token’s chain has no list). Omitted: the creating token’s list (caller.allowedIps); given: each entry within it',
      maxItems: 100,
    })),
    enabled: Type.Optional(Type.Boolean()),
    metadata: Type.Optional(Nullable(Metadata)),
    identityId: Type.Optional(Nullable(Type.String({ maxLength: 100, description: 'An identity of the same account (needs identities:write as well); null: none' }))),
    limits: Type.Optional(RateLimitList),
    credits: Type.Optional(Type.Union([CreditsInput, Type.Null()], { description: 'Credits each recorded check spends; null: none' })),
  },
  { additionalProperties: false },
);
export type CreateTokenBody = Static<typeof CreateTokenBody>;

export const UpdateTokenBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    profileId: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    enabled: Type.Optional(Type.Boolean()),
    allowedIps: Type.Optional(Type.Array(Type.String(), { maxItems: 100, description: 'Within the editing token’s chain and the token’s own creators’ lists: a token editing itself can only narrow it' })),
    validFrom: Type.Optional(Nullable(DateTime)),
    expiresAt: Type.Optional(Nullable(dateTime('At or before the editing token’s chain expiry and the token’s own creators’: a token editing itself can only bring it forward.'))),
    metadata: Type.Optional(Nullable(Metadata)),
    scopes: Type.Optional(ScopeList('Only where the account policy permissionsEditable is true')),
    deny: Type.Optional(ScopeList('Only where the account policy permissionsEditable is true')),
    identityId: Type.Optional(Nullable(Type.String({ maxLength: 100, description: 'An identity of the same account (needs identities:write as well); null detaches. Never on the editing token’s own chain' }))),
    limits: Type.Optional(Type.Array(RateLimitInput, { maxItems: 10, description: 'Replaces the token’s rate limits. Never on the editing token itself or a token that made it (a token cannot lift its own limits)' })),
    credits: Type.Optional(Type.Union([CreditsInput, Type.Null()], { description: 'Replaces the token’s credits; null removes them. Never on the editing token itself or a token that made it' })),
  },
  { additionalProperties: false },
);
export type UpdateTokenBody = Static<typeof UpdateTokenBody>;

export const CreatedTokenBody = Type.Object({
  token: Type.Ref(TokenView),
  secret: Type.String({ description: 'Shown once: only a hash is kept. Store it now.', examples: ['tsr_…'] }),
});

export const TokenIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'nextCursor of the previous page' })),
};

export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const errorResponses = {
  400: Type.Ref(ErrorBody),
  401: Type.Ref(ErrorBody),
  403: Type.Ref(ErrorBody),
  404: Type.Ref(ErrorBody),
  409: Type.Ref(ErrorBody),
  429: Type.Ref(ErrorBody),
} as const;

/** Every management route accepts either presentation header. */
export const security: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];
