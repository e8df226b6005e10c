/** The checks every presented token goes through once found (opaque or issued): life, address, permissions, usage. */
import type { CompiledCatalog, PreparedPermissions, Query } from '../../core/catalog/index.js';
import type { Permissions } from '../../core/scope.js';
import { tokenStateAt } from '../../core/token-state.js';
import type { TokenRecord, VerifyCode } from '../../core/types.js';
import { printQuery } from '../../core/catalog/index.js';
import type { UsageKind } from '../../store/store.js';
import type { ServiceContext } from '../context.js';
import type { UsageCheck } from '../usage/usage-buffer.js';
import type { CachedToken, ChainLimits } from './token-cache.js';
import { EndpointVerdicts } from './endpoint-verdicts.js';
import { applyLimits } from '../limits/apply-limits.js';
import { NO_HOLDERS } from '../limits/chain-holders.js';
import type { LimitState } from '../limits/rate-limiter.js';

/** What the caller wants to know besides "is the token live": every given check must pass. */
export interface VerifyChecks {
  /** All are required. */
  scopes?: readonly string[];
  /** A parsed permission query: scopes with AND, OR and parentheses. */
  query?: Query;
  /** An action on a resource of a catalog resource type; `id` `*` for all of the type. */
  resource?: { type: string; id: string; action: string };
  /** A call: method and concrete path, matched against the catalog's endpoints (any one scope suffices). */
  endpoint?: { method: string; path: string };
  /** Values known from the call (e.g. `user_id`) that scopes with `requires` are bound to. */
  context?: Record<string, string>;
}

export interface VerifyInput extends VerifyChecks {
  secret: string;
  /** The client address the token is presented from; checked against the token's allowed IPs. */
  ip?: string | undefined;
  /** For explain: report on a token without judging the caller's address. */
  skipIpCheck?: boolean;
  /** Which rate limits the check consumes (all when omitted) and how much (1 when omitted); see docs/limits.md. */
  usage?: { limits?: readonly string[]; cost?: number };
}

/** The identity a token belongs to, as a check tells it. */
export interface IdentityRef {
  id: string;
  externalId: string;
}

export type DeniedCheck = 'scopes' | 'query' | 'resource' | 'endpoint';

export type VerifyResult =
  | {
      valid: true;
      code: 'VALID';
      token: TokenRecord;
      limits: ChainLimits;
      endpoint?: string;
      identity?: IdentityRef | null;
      ratelimits?: LimitState[];
      /** The least credits left among the balances the check spent (docs/limits.md). */
      credits?: { remaining: number };
    }
  | { valid: false; code: 'NOT_FOUND' }
  | { valid: false; code: 'RATE_LIMITED'; token: TokenRecord; identity: IdentityRef | null; ratelimits: LimitState[] }
  | { valid: false; code: 'USAGE_EXCEEDED'; token: TokenRecord; identity: IdentityRef | null; credits: { remaining: number }; ratelimits?: LimitState[] }
  | { valid: false; code: Exclude<VerifyCode, 'VALID' | 'NOT_FOUND' | 'INSUFFICIENT_SCOPE' | 'RATE_LIMITED' | 'USAGE_EXCEEDED'>; token: TokenRecord }
  | { valid: false; code: 'INSUFFICIENT_SCOPE'; token: TokenRecord; denied: DeniedCheck; missingScopes: string[]; reason: string; endpoint?: string };

/** The answer for a secret that opens nothing: no token, so nothing about one is told. */
export const NOT_FOUND = { valid: false, code: 'NOT_FOUND' } as const;

/**
 * The checks on a token already in hand, and the usage they make. With `kind`, the check is recorded as a usage
 * event (verify and authorize routes, CLI verify); without, only a granted use is counted (authenticating a
 * management call). Shared by opaque tokens (verify-opaque-token.ts) and issued JWTs (issued-token-verifier.ts).
 * One clock read serves the checks and the usage record.
 */
export function checkToken(
  ctx: ServiceContext,
  entry: CachedToken,
  input: VerifyInput,
  kind?: UsageKind,
  nowMs: number = ctx.clock.now(),
): VerifyResult | Promise<VerifyResult> {
  // A rotated-out secret past its overlap opens nothing, as if it had never existed (and, unknown, is not recorded).
  if (entry.secretExpiresAtMs !== null && nowMs >= entry.secretExpiresAtMs) return NOT_FOUND;
  const judged = judge(ctx, entry, input, nowMs);
  if (judged === undefined) return ctx.catalogs.get(entry.token.accountId).then(() => checkToken(ctx, entry, input, kind));
  // Limits count recorded checks only: authenticating a management call consumes nothing (docs/limits.md).
  const result = kind !== undefined && judged.valid && entry.holders !== NO_HOLDERS ? applyLimits(ctx, entry, input, judged, nowMs) : judged;
  if (result instanceof Promise) return result.then((r) => recorded(ctx, entry, input, r, kind, nowMs));
  return recorded(ctx, entry, input, result, kind, nowMs);
}

function recorded(ctx: ServiceContext, entry: CachedToken, input: VerifyInput, result: Verdict, kind: UsageKind | undefined, nowMs: number): VerifyResult {
  if (kind !== undefined) ctx.usage.recordCheck(entry, entry.token, nowMs, result.valid, checkOf(ctx, input, result, kind));
  else if (result.valid) ctx.usage.recordUse(entry, entry.token, nowMs);
  return result;
}

/** The verdict, or `undefined` when it needs the account's catalog and that is not in memory yet. */
function judge(ctx: ServiceContext, entry: CachedToken, input: VerifyInput, nowMs: number): Exclude<VerifyResult, { code: 'NOT_FOUND' }> | undefined {
  const { token } = entry;
  // The whole chain's limits, folded into the entry when it was cached (docs/security.md).
  const state = tokenStateAt(entry.lifecycle, entry.expiresAtMs, entry.validFromMs, nowMs);
  if (state !== 'VALID') return { valid: false, code: state, token };
  if (!input.skipIpCheck && entry.ipAllowlists.length > 0 && !allowsAddress(entry, input.ip)) {
    return { valid: false, code: 'IP_NOT_ALLOWED', token };
  }
  if (!hasChecks(input)) return entry.valid;
  const effective = ctx.catalogs.peek(token.accountId);
  if (!effective) return undefined;
  if (isEndpointOnly(input)) return endpointVerdict(effective.catalog, entry, input);
  return verdictOf(entry, runChecks(effective.catalog, entry, input));
}

/** The answer about a token that was found. */
export type Verdict = Exclude<VerifyResult, { code: 'NOT_FOUND' }>;

/** Every list on the chain must allow the address; a check without an address passes none. */
function allowsAddress(entry: CachedToken, ip: string | undefined): boolean {
  if (ip === undefined) return false;
  for (const allowlist of entry.ipAllowlists) if (!allowlist.allows(ip)) return false;
  return true;
}

function verdictOf(entry: CachedToken, outcome: Denial | Granted | undefined): Verdict {
  const { token } = entry;
  if (outcome?.denied) return { valid: false, code: 'INSUFFICIENT_SCOPE', token, ...outcome };
  return outcome === undefined ? entry.valid : { valid: true, code: 'VALID', token, limits: entry.valid.limits, endpoint: outcome.endpoint };
}

/** A call and nothing else, with no values from the call: the verdict depends only on the token, catalog and call. */
function isEndpointOnly(input: VerifyInput): input is VerifyInput & { endpoint: { method: string; path: string } } {
  return input.endpoint !== undefined && input.context === undefined && input.query === undefined && input.resource === undefined && (input.scopes === undefined || input.scopes.length === 0);
}

/** The endpoint check, remembered on the cache entry: a gateway's repeated calls skip matching and scope checks. */
function endpointVerdict(catalog: CompiledCatalog, entry: CachedToken, input: VerifyInput & { endpoint: { method: string; path: string } }): Verdict {
  let verdicts = entry.endpointVerdicts as EndpointVerdicts<Verdict> | undefined;
  if (verdicts === undefined || verdicts.catalog !== catalog) entry.endpointVerdicts = verdicts = new EndpointVerdicts<Verdict>(catalog);
  const { method, path } = input.endpoint;
  const known = verdicts.find(method, path);
  if (known !== undefined) return known;
  // Shared by every later identical call: frozen, so no caller can change another's answer.
  const verdict = Object.freeze(verdictOf(entry, runChecks(catalog, entry, input)));
  verdicts.remember(method, path, verdict);
  return verdict;
}

function hasChecks(input: VerifyChecks): boolean {
  return (input.scopes !== undefined && input.scopes.length > 0) || input.query !== undefined || input.resource !== undefined || input.endpoint !== undefined;
}

/** `endpoint` is the catalog endpoint a call matched (`GET /devices/{id}`): usage roll-ups count by it. */
type Denial = { denied: DeniedCheck; missingScopes: string[]; reason: string; endpoint?: string };
type Granted = { denied?: undefined; endpoint: string };

/**
 * The checks against the token's own permissions, then against each ancestor's that grants less than everything:
 * a credential never passes a check that a token on its chain would fail (docs/security.md).
 */
function runChecks(catalog: CompiledCatalog, entry: CachedToken, input: VerifyChecks): Denial | Granted | undefined {
  const own = checkPermissions(catalog, preparedFor(catalog, entry, entry.token), input);
  if (own?.denied || entry.ancestorPermissions.length === 0) return own;
  for (const ancestor of entry.ancestorPermissions) {
    const outcome = checkPermissions(catalog, preparedFor(catalog, ancestor, ancestor.permissions), input);
    if (outcome?.denied) return { ...outcome, reason: `${outcome.reason} (beyond what token ${ancestor.tokenId}, on its chain of creators, holds)` };
  }
  return own;
}

/** Permissions expanded for the catalog, once per catalog. */
function preparedFor(catalog: CompiledCatalog, holder: { prepared?: PreparedPermissions; preparedFor?: CompiledCatalog }, permissions: Permissions): PreparedPermissions {
  if (holder.preparedFor !== catalog) {
    holder.prepared = catalog.prepare({ scopes: permissions.scopes, deny: permissions.deny });
    holder.preparedFor = catalog;
  }
  return holder.prepared!;
}

function checkPermissions(catalog: CompiledCatalog, perms: PreparedPermissions, input: VerifyChecks): Denial | Granted | undefined {
  const context = input.context ?? {};
  if (input.scopes && input.scopes.length > 0) {
    const missing = input.scopes.filter((scope) => !catalog.grants(perms, scope, context));
    if (missing.length > 0) return { denied: 'scopes', missingScopes: missing, reason: `missing ${missing.join(', ')}` };
  }
  if (input.query && !catalog.evaluateQuery(perms, input.query, context)) {
    return { denied: 'query', missingScopes: [], reason: 'the permission query is not satisfied' };
  }
  if (input.resource) {
    const { type, id, action } = input.resource;
    const scope = catalog.resourceScope(type, id, action);
    if (scope === undefined || !catalog.grants(perms, scope, context)) {
      return { denied: 'resource', missingScopes: scope ? [scope] : [], reason: scope ? `missing ${scope}` : `no action ${action} on resource type ${type}` };
    }
  }
  if (input.endpoint) {
    const decision = catalog.checkEndpoint(perms, input.endpoint.method, input.endpoint.path, context);
    if (!('endpoint' in decision)) {
      return { denied: 'endpoint', missingScopes: [], reason: `the catalog has no endpoint ${input.endpoint.method.toUpperCase()} ${input.endpoint.path}` };
    }
    const endpoint = `${decision.endpoint.method} ${decision.endpoint.path}`;
    if (!decision.allowed) {
      return { denied: 'endpoint', missingScopes: decision.requiredAnyOf, reason: `needs any one of ${decision.requiredAnyOf.join(', ')}`, endpoint };
    }
    return { endpoint };
  }
  return undefined;
}

/** Longest subject kept on a raw event; endpoint paths and scope lists are capped by the route schemas anyway. */
const MAX_SUBJECT = 1000;

/**
 * The usage event of a check of a known token (unknown secrets are not recorded: they belong to no account,
 * and recording them would let anyone fill the table).
 */
function checkOf(ctx: ServiceContext, input: VerifyInput, result: Exclude<VerifyResult, { code: 'NOT_FOUND' }>, kind: UsageKind): UsageCheck {
  return {
    kind,
    subject: subjectOf(input),
    outcome: result.code,
    clientIp: input.ip ?? null,
    refusedBy: refusedByOf(result),
    // The match made by the check itself where there was one; otherwise (the token failed earlier) match here.
    endpoint: input.endpoint ? endpointOf(ctx, result.token.accountId, input.endpoint, 'endpoint' in result ? result.endpoint : undefined) : null,
  };
}

/** What refused a check that passed its permissions: the first limit spent (`token:<name>`, `identity:<name>`), or credits. */
function refusedByOf(result: Exclude<VerifyResult, { code: 'NOT_FOUND' }>): string | null {
  if (result.code === 'USAGE_EXCEEDED') return 'credits';
  if (result.code !== 'RATE_LIMITED') return null;
  const limit = result.ratelimits.find((state) => state.exceeded);
  return limit === undefined ? null : `${limit.holder}:${limit.name}`;
}

function subjectOf(input: VerifyChecks): string | null {
  let subject: string | null = null;
  if (input.endpoint) subject = `${input.endpoint.method.toUpperCase()} ${input.endpoint.path}`;
  else if (input.scopes && input.scopes.length > 0) subject = input.scopes.join(' ');
  else if (input.query) subject = printQuery(input.query);
  else if (input.resource) subject = `${input.resource.type}:${input.resource.id}:${input.resource.action}`;
  return subject === null ? null : subject.slice(0, MAX_SUBJECT);
}

/** The catalog's endpoint (`GET /devices/{id}`), so roll-ups count per endpoint, not per concrete path. */
function endpointOf(
  ctx: ServiceContext,
  accountId: TokenRecord['accountId'],
  endpoint: { method: string; path: string },
  /** What the check itself matched, when it got that far: no second match on the hot path. */
  matched: string | undefined,
): string {
  const match = matched === undefined ? ctx.catalogs.peek(accountId)?.catalog.matchEndpoint(endpoint.method, endpoint.path) : undefined;
  const text = matched ?? (match ? `${match.endpoint.method} ${match.endpoint.path}` : `${endpoint.method.toUpperCase()} ${endpoint.path}`);
  return text.slice(0, MAX_SUBJECT);
}
