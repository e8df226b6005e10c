/** Checks and normalises the fields a caller may set on a token; every problem names its field. */
import { badRequest } from '../../core/errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../core/json-depth.js';
import { parseIpAllowlist } from '../../core/ip-allowlist.js';
import { parseScope } from '../../core/scope.js';
import type { AccountPolicy, Scope } from '../../core/types.js';

export const limits = {
  nameLength: 200,
  descriptionLength: 1000,
  profileIdLength: 200,
  scopesPerToken: 500,
  allowedIpsPerToken: 100,
  metadataBytes: 4096,
} as const;

export function checkName(value: string, field = 'name'): string {
  const name = value.trim();
  if (name.length === 0) throw badRequest(field, 'must not be empty');
  if (name.length > limits.nameLength) throw badRequest(field, `must be at most ${limits.nameLength} characters`);
  return name;
}

export function checkOptionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (value.length > max) throw badRequest(field, `must be at most ${max} characters`);
  return value.length === 0 ? null : value;
}

export function checkScopes(values: readonly string[], field: string): Scope[] {
  if (values.length > limits.scopesPerToken) throw badRequest(field, `at most ${limits.scopesPerToken} scopes`);
  return values.map((value, index) => {
    const parsed = parseScope(value);
    if (!parsed.ok) throw badRequest(`${field}[${index}]`, parsed.problem);
    return parsed.scope;
  });
}

export function checkAllowedIps(values: readonly string[]): string[] {
  if (values.length > limits.allowedIpsPerToken) {
    throw badRequest('allowedIps', `at most ${limits.allowedIpsPerToken} entries`);
  }
  const parsed = parseIpAllowlist(values);
  if (!parsed.ok) throw badRequest(`allowedIps[${parsed.index}]`, parsed.problem);
  return parsed.normalized;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * The latest instant Tessera stores: past it a time no longer prints as a four-digit RFC 3339 year
 * (`+010000-…`), and far enough past it `new Date` throws "Invalid time value".
 */
export const LATEST_TIME_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** Accepts RFC 3339 with any offset; stores UTC with milliseconds. */
export function checkTimestamp(value: string | null | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  const ms = Date.parse(value);
  if (!RFC3339.test(value) || Number.isNaN(ms)) {
    throw badRequest(field, 'must be an RFC 3339 date-time such as 2027-01-31T12:00:00Z');
  }
  if (ms > LATEST_TIME_MS) throw badRequest(field, 'must be no later than 9999-12-31T23:59:59Z (UTC)');
  return new Date(ms).toISOString();
}

export function checkMetadata(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('metadata', 'must be a JSON object');
  // Before stringifying: a deep enough value overflows the stack inside JSON.stringify.
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) throw badRequest('metadata', `nested deeper than ${MAX_JSON_DEPTH} levels`);
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > limits.metadataBytes) {
    throw badRequest('metadata', `must be at most ${limits.metadataBytes} bytes of JSON (got ${bytes})`);
  }
  return value as Record<string, unknown>;
}

/**
 * Checks the validity window against the clock and the account's `maxLifetime`. Without an explicit
 * expiry, an account with a maximum lifetime gives the token exactly that lifetime.
 */
export function checkLifetime(
  window: { validFrom: string | null; expiresAt: string | null },
  policy: AccountPolicy,
  nowMs: number,
  options: { creating: boolean },
): { validFrom: string | null; expiresAt: string | null } {
  const startMs = Math.max(nowMs, window.validFrom ? Date.parse(window.validFrom) : nowMs);
  let expiresAt = window.expiresAt;
  if (expiresAt !== null) {
    const expiresMs = Date.parse(expiresAt);
    if (options.creating && expiresMs <= nowMs) throw badRequest('expiresAt', 'must be in the future');
    if (window.validFrom && expiresMs <= Date.parse(window.validFrom)) {
      throw badRequest('expiresAt', 'must be after validFrom');
    }
  }
  if (policy.maxLifetimeSeconds !== null) {
    // Clamped: a policy stored before its bound was checked must not make every create fail.
    const limitMs = Math.min(nowMs + policy.maxLifetimeSeconds * 1000, LATEST_TIME_MS);
    if (expiresAt === null) {
      if (!options.creating) {
        throw badRequest('expiresAt', `must be set: the account limits token lifetime to ${policy.maxLifetimeSeconds} s`);
      }
      if (startMs + 1000 > LATEST_TIME_MS) throw badRequest('validFrom', 'leaves no room for an expiry before the year 10000');
      expiresAt = new Date(Math.max(limitMs, startMs + 1000)).toISOString();
    } else if (Date.parse(expiresAt) > limitMs) {
      throw badRequest(
        'expiresAt',
        `exceeds the account's maximum token lifetime of ${policy.maxLifetimeSeconds} s (latest allowed ${new Date(limitMs).toISOString()})`,
      );
    }
  }
  return { validFrom: window.validFrom, expiresAt };
}
