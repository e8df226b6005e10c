/** Forward auth: may this token make this call (method and URI as the gateway saw them) from this address? */
import type { AccountRecord, TokenRecord } from '../../core/types.js';
import type { PresentedCredential } from './authenticate.js';
import type { ServiceContext } from '../context.js';
import type { IdentityRef, VerifyResult } from './check-token.js';
import type { LimitState } from '../limits/rate-limiter.js';
import type { IssuedTokenVerifier } from './issued-token-verifier.js';
import { needsAccountPolicy, presentationRefusal } from './presentation-policy.js';
import { verifyPresented } from './verify-presented.js';

export interface AuthorizeInput {
  credential: PresentedCredential | undefined;
  method: string;
  /** The original request URI (path and query), as sent by the client. */
  uri: string;
  /** The end client's address. */
  ip: string;
}

export type AuthorizeOutcome =
  | { allowed: true; token: TokenRecord; identity?: IdentityRef | null; ratelimits?: LimitState[]; credits?: { remaining: number } }
  | { allowed: false; status: 429; code: 'RATE_LIMITED' | 'USAGE_EXCEEDED'; ratelimits: LimitState[]; text: string }
  | { allowed: false; status: 401; presented: boolean; text: string }
  | { allowed: false; status: 403; requiredAnyOf: string[]; text: string };

/**
 * The shared check (opaque tokens and issued JWTs alike, usage recorded as `authorize`). Answers without a
 * promise when the token, its catalog and its account are in memory.
 */
export function authorizeRequest(ctx: ServiceContext, issued: IssuedTokenVerifier, input: AuthorizeInput): AuthorizeOutcome | Promise<AuthorizeOutcome> {
  if (!input.credential) return { allowed: false, status: 401, presented: false, text: 'a token is required' };
  const path = normalisePath(input.uri);
  const verified = verifyPresented(
    ctx,
    issued,
    {
      secret: input.credential.secret,
      // An ambiguous path is checked as an endpoint no catalog has, so it is denied like one.
      endpoint: { method: input.method.toUpperCase(), path: path ?? '/\u0000' },
      ip: input.ip,
    },
    'authorize',
  );
  const scheme = input.credential.scheme;
  return verified instanceof Promise ? verified.then((result) => decide(ctx, scheme, result)) : decide(ctx, scheme, verified);
}

function decide(ctx: ServiceContext, scheme: PresentedCredential['scheme'], result: VerifyResult): AuthorizeOutcome | Promise<AuthorizeOutcome> {
  if (result.code === 'NOT_FOUND') return { allowed: false, status: 401, presented: true, text: 'the token is not valid' };
  if (!needsAccountPolicy(scheme)) return outcomeOf(result);
  const account = ctx.accountCache.peek(result.token.accountId);
  if (account === undefined) return ctx.accountCache.get(result.token.accountId).then((read) => schemeOutcome(result, scheme, read));
  return schemeOutcome(result, scheme, account);
}

function schemeOutcome(result: Exclude<VerifyResult, { code: 'NOT_FOUND' }>, scheme: 'app' | 'query', account: AccountRecord | undefined): AuthorizeOutcome {
  const refusal = presentationRefusal(scheme, account);
  return refusal === null ? outcomeOf(result) : { allowed: false, status: 401, presented: true, text: refusal };
}

function outcomeOf(result: Exclude<VerifyResult, { code: 'NOT_FOUND' }>): AuthorizeOutcome {
  if (result.valid) return { allowed: true, token: result.token, identity: result.identity, ratelimits: result.ratelimits, credits: result.credits };
  if (result.code === 'RATE_LIMITED') return { allowed: false, status: 429, code: 'RATE_LIMITED', ratelimits: result.ratelimits, text: 'the token is over one of its rate limits' };
  if (result.code === 'USAGE_EXCEEDED') return { allowed: false, status: 429, code: 'USAGE_EXCEEDED', ratelimits: result.ratelimits ?? [], text: 'the token has no credits left' };
  if (result.code === 'INSUFFICIENT_SCOPE') return { allowed: false, status: 403, requiredAnyOf: result.missingScopes, text: 'Forbidden' };
  return { allowed: false, status: 401, presented: true, text: 'the token is not valid' };
}

/** What {@link decodePathSegments} can change or refuse: an escape, a backslash, NUL, a dot segment. */
// eslint-disable-next-line no-control-regex -- NUL is one of the characters looked for
const NEEDS_DECODING = /[%\\\u0000]|\/\.\.?(?:\/|$)/;

/**
 * The path of a request URI with each segment percent-decoded, or `null` when it is ambiguous: dot segments,
 * encoded slashes or backslashes, NUL, malformed escapes. An upstream could resolve such a path differently
 * from the catalog (`/public/..%2Fadmin`), so it is never authorised.
 */
export function normalisePath(uri: string): string | null {
  const end = uri.search(/[?#]/);
  const raw = end === -1 ? uri : uri.slice(0, end);
  if (!raw.startsWith('/')) return null;
  // Nothing to decode and nothing to refuse (the usual gateway call): the path is what was sent.
  return NEEDS_DECODING.test(raw) ? decodePathSegments(raw) : raw;
}

/** The whole reading of an absolute path, segment by segment (what the shortcut in {@link normalisePath} skips). */
export function decodePathSegments(raw: string): string | null {
  const segments: string[] = [];
  for (const segment of raw.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return null;
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('/') || decoded.includes('\\') || decoded.includes('\u0000')) return null;
    segments.push(decoded);
  }
  return segments.join('/');
}

/** `access_token` from the original URI's query string (the gateway forwards the URI, not its parameters). */
export function queryToken(uri: string): string | undefined {
  const start = uri.indexOf('?');
  if (start === -1) return undefined;
  const value = new URLSearchParams(uri.slice(start + 1).split('#')[0]).get('access_token');
  return value === null || value === '' ? undefined : value;
}
