/** Checks and normalises the fields a caller may set on a token; every problem names its field. */
import { badRequest } from '../core/errors.js';
import { parseIpAllowlist } from '../core/ip-allowlist.js';
import { parseScope } from '../core/scope.js';
import type { AccountPolicy, Scope } from '../core/types.js';

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

/** Accepts RFC 3339 with any offset; stores UTC with milliseconds. */
export function checkTimestamp(value: string | null | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  const ms = Date.parse(value);
  if (!RFC3339.test(value) || Number.isNaN(ms)) {
    throw badRequest(field, 'must be an RFC 3339 date-time such as 2027-01-31T12:00:00Z');
  }
  return new Date(ms).toISOString();
}

export function checkMetadata(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('metadata', 'must be a JSON object');
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
    const limitMs = nowMs + policy.maxLifetimeSeconds * 1000;
    if (expiresAt === null) {
      if (!options.creating) {
        throw badRequest('expiresAt', `must be set: the account limits token lifetime to ${policy.maxLifetimeSeconds} s`);
      }
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
