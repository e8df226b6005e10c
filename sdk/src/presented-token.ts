/** Where a request may carry its token: Bearer and X-API-Key always; App and ?access_token= when enabled. */

export interface PresentationOptions {
  /** Accept `Authorization: App <token>` (default false). */
  appScheme?: boolean | undefined;
  /** Accept an `access_token` query parameter (default false; such URLs end up in logs, prefer headers). */
  accessTokenQuery?: boolean | undefined;
}

/** What one request presented. */
export type Presented =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  | { kind: 'malformed'; text: string }
  | { kind: 'ambiguous' };

/** The raw places a token can be, as the framework adapters read them. */
export interface PresentationInput {
  authorization: string | undefined;
  apiKey: string | undefined;
  accessToken: string | undefined;
}

const NONE: Presented = { kind: 'none' };
const bearerOnly = /^Bearer\s+(\S+)\s*$/i;
const bearerOrApp = /^(?:Bearer|App)\s+(\S+)\s*$/i;

/**
 * The token a request presents, by RFC 6750's rules: one place only, else `ambiguous` (a 400).
 *
 * @example
 * ```ts
 * presentedToken({ authorization: 'Bearer tsr_abc', apiKey: undefined, accessToken: undefined });
 * // { kind: 'token', token: 'tsr_abc' }
 * ```
 */
export function presentedToken(input: PresentationInput, options: PresentationOptions = {}): Presented {
  let found: string | undefined;
  let count = 0;
  if (input.authorization !== undefined) {
    const match = (options.appScheme ? bearerOrApp : bearerOnly).exec(input.authorization);
    if (!match) {
      return { kind: 'malformed', text: `Authorization header: expected "Bearer <token>"${options.appScheme ? ' or "App <token>"' : ''}` };
    }
    found = match[1];
    count++;
  }
  if (input.apiKey !== undefined) {
    found = input.apiKey.trim();
    count++;
  }
  if (options.accessTokenQuery && input.accessToken !== undefined) {
    found = input.accessToken;
    count++;
  }
  if (count > 1) return { kind: 'ambiguous' };
  if (found === undefined) return NONE;
  if (found === '') return { kind: 'malformed', text: 'the token is empty' };
  return { kind: 'token', token: found };
}
