/** Turns `token create|update` flags into the service's (and the HTTP API's) input fields. */
import type { Command } from 'commander';
import { badRequest } from '../core/errors.js';
import type { CreateTokenInput, UpdateTokenInput } from '../service/index.js';
import type { RateLimitInput } from '../core/usage-limits.js';
import { collect, UsageError } from './cli-options.js';

export interface TokenFlags {
  id?: string;
  name?: string;
  description?: string;
  profileId?: string;
  scope?: string[];
  template?: string[];
  deny?: string[];
  expiresAt?: string;
  validFrom?: string;
  allowedIp?: string[];
  metadata?: string;
  identity?: string;
  rateLimit?: string[];
}

export function addTokenFieldOptions(command: Command): Command {
  return command
    .option('--description <text>', 'what the token is for')
    .option('--profile-id <id>', 'the identity the token acts as')
    .option('--scope <scope>', 'a permission granted (repeatable)', collect)
    .option('--deny <scope>', 'a permission withheld even where a scope grants it (repeatable)', collect)
    .option('--valid-from <time>', 'RFC 3339 time the token starts working')
    .option('--expires-at <time>', 'RFC 3339 time the token stops working')
    .option('--allowed-ip <cidr>', 'an address or CIDR the token may be used from (repeatable)', collect)
    .option('--metadata <json>', 'a JSON object kept with the token')
    .option('--identity <id>', 'the identity (idn_…) the token belongs to; none detaches (docs/limits.md)')
    .option('--rate-limit <name=limit/duration>', 'a named rate limit of the token, e.g. per-minute=100/1m (repeatable; replaces them on update)', collect);
}

export function createInput(flags: TokenFlags): CreateTokenInput {
  return {
    ...(flags.id !== undefined ? { id: flags.id } : {}),
    name: flags.name ?? '',
    scopes: flags.scope ?? [],
    ...(flags.template !== undefined ? { templates: flags.template } : {}),
    ...commonFields(flags),
  };
}

/** `none` clears a time (`--expires-at none`); an empty text clears description or profile id. */
export function updateInput(flags: TokenFlags): UpdateTokenInput {
  return {
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.scope !== undefined ? { scopes: flags.scope } : {}),
    ...commonFields(flags, { clearable: true }),
  };
}

function commonFields(flags: TokenFlags, options = { clearable: false }) {
  const time = (value: string | undefined) => (options.clearable && value === 'none' ? null : value);
  const text = (value: string | undefined) => (value === '' ? null : value);
  return {
    ...(flags.description !== undefined ? { description: text(flags.description) } : {}),
    ...(flags.profileId !== undefined ? { profileId: text(flags.profileId) } : {}),
    ...(flags.deny !== undefined ? { deny: flags.deny } : {}),
    ...(flags.validFrom !== undefined ? { validFrom: time(flags.validFrom) } : {}),
    ...(flags.expiresAt !== undefined ? { expiresAt: time(flags.expiresAt) } : {}),
    ...(flags.allowedIp !== undefined ? { allowedIps: flags.allowedIp } : {}),
    ...(flags.metadata !== undefined ? { metadata: parseMetadata(flags.metadata) } : {}),
    ...(flags.identity !== undefined ? { identityId: flags.identity === 'none' ? null : flags.identity } : {}),
    ...(flags.rateLimit !== undefined ? { limits: flags.rateLimit.map(parseRateLimit) } : {}),
  };
}

export function parseMetadata(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('metadata', `must be a JSON object such as '{"team":"ops"}'`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('metadata', 'must be a JSON object, not an array or a single value');
  }
  return value as Record<string, unknown>;
}

/** `per-minute=100/1m` → `{name, limit, duration}`; the service checks the values and names the field. */
export function parseRateLimit(text: string): RateLimitInput {
  const match = /^([^=]+)=(\d+)\/(.+)$/.exec(text);
  if (!match) throw new UsageError(`--rate-limit: expected name=limit/duration such as per-minute=100/1m, got ${text}`);
  return { name: match[1]!, limit: Number(match[2]), duration: /^\d+$/.test(match[3]!) ? Number(match[3]) : match[3]! };
}
