/** Turns `token create|update` flags into the service's (and the HTTP API's) input fields. */
import type { Command } from 'commander';
import { badRequest } from '../core/errors.js';
import type { CreateTokenInput, UpdateTokenInput } from '../service/index.js';
import { collect } from './cli-options.js';

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
    .option('--metadata <json>', 'a JSON object kept with the token');
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
  };
}

function parseMetadata(text: string): Record<string, unknown> {
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
