/** `tessera identities list|show|create|update|delete`: the users or customers tokens belong to (docs/limits.md). */
import type { Command } from 'commander';
import type { RateLimitInput } from '../core/usage-limits.js';
import type { IdentityView } from '../service/index.js';
import { addBackendOptions, collect, parseWhole, UsageError, withBackend, type CommonFlags } from './cli-options.js';
import { keyValues, orDash, print, table, type CliIo } from './output.js';
import { parseMetadata, parseRateLimit } from './token-flags.js';

interface IdentityFlags extends CommonFlags {
  externalId?: string;
  name?: string;
  metadata?: string;
  rateLimit?: string[];
  /** `false` with `--no-rate-limits`. */
  rateLimits?: boolean;
  limit?: string;
  cursor?: string;
}

export function registerIdentityCommands(program: Command, io: CliIo): void {
  const identities = program.command('identities').description('identities: your users or customers, who own tokens and share rate limits');
  const rateLimitOption = (command: Command) =>
    command.option('--rate-limit <name=limit/duration>', 'a named rate limit shared by its tokens, e.g. per-minute=100/1m (repeatable)', collect);

  addBackendOptions(identities.command('list').description('identities, newest first'))
    .option('--external-id <id>', 'only the identity with this external id')
    .option('--limit <n>', 'page size (1-200)')
    .option('--cursor <cursor>', 'next page')
    .action((flags: IdentityFlags) =>
      withBackend(io, flags, async (backend) => {
        const page = await backend.identityList({
          ...(flags.externalId !== undefined ? { externalId: flags.externalId } : {}),
          ...(flags.limit !== undefined ? { limit: parseWhole(flags.limit, '--limit') } : {}),
          ...(flags.cursor !== undefined ? { cursor: flags.cursor } : {}),
        });
        print(io, !!flags.json, page, (p) => [
          ...table(['ID', 'EXTERNAL ID', 'NAME', 'LIMITS'], p.items.map((i) => [i.id, i.externalId, orDash(i.name), limitsText(i)])),
          ...(p.nextCursor ? ['', `more: --cursor ${p.nextCursor}`] : []),
        ]);
      }),
    );

  addBackendOptions(identities.command('show <id>').description('one identity'))
    .action((id: string, flags: CommonFlags) => withBackend(io, flags, async (backend) => print(io, !!flags.json, await backend.identityShow(id), identityLines)));

  rateLimitOption(addBackendOptions(identities.command('create').description('create an identity (audited)')))
    .requiredOption('--external-id <id>', 'your own id for the user or customer, unique in the account')
    .option('--name <name>', 'display name')
    .option('--metadata <json>', 'a JSON object')
    .action((flags: IdentityFlags) =>
      withBackend(io, flags, async (backend) => print(io, !!flags.json, await backend.identityCreate({ externalId: flags.externalId!, ...fields(flags) }), identityLines)),
    );

  rateLimitOption(addBackendOptions(identities.command('update <id>').description('change the fields given (audited); --rate-limit replaces the limits')))
    .option('--external-id <id>', 'a new external id')
    .option('--name <name>', 'display name')
    .option('--metadata <json>', 'a JSON object')
    .option('--no-rate-limits', 'remove every rate limit')
    .action((id: string, flags: IdentityFlags) =>
      withBackend(io, flags, async (backend) => {
        const patch = { ...(flags.externalId !== undefined ? { externalId: flags.externalId } : {}), ...fields(flags) };
        if (Object.keys(patch).length === 0) throw new UsageError('identities update: give at least one of --external-id, --name, --metadata, --rate-limit, --no-rate-limits');
        print(io, !!flags.json, await backend.identityUpdate(id, patch), identityLines);
      }),
    );

  addBackendOptions(identities.command('delete <id>').description('delete an identity; its tokens keep working without it (audited)'))
    .action((id: string, flags: CommonFlags) =>
      withBackend(io, flags, async (backend) =>
        print(io, !!flags.json, await backend.identityDelete(id), (r) => [`deleted ${r.id}; tokens detached: ${r.detachedTokens.length === 0 ? 'none' : r.detachedTokens.join(', ')}`]),
      ),
    );
}

/** The optional fields the flags give; a bad value is refused naming its flag. */
function fields(flags: IdentityFlags): { name?: string; metadata?: Record<string, unknown>; limits?: RateLimitInput[] } {
  const out: { name?: string; metadata?: Record<string, unknown>; limits?: RateLimitInput[] } = {};
  if (flags.name !== undefined) out.name = flags.name;
  if (flags.metadata !== undefined) out.metadata = parseMetadata(flags.metadata);
  if (flags.rateLimit !== undefined) out.limits = flags.rateLimit.map(parseRateLimit);
  else if (flags.rateLimits === false) out.limits = [];
  return out;
}


function limitsText(identity: IdentityView): string {
  return identity.limits.length === 0 ? '-' : identity.limits.map((l) => `${l.name}=${l.limit}/${l.duration}s`).join(' ');
}

function identityLines(identity: IdentityView): string[] {
  return keyValues([
    ['identity', identity.id],
    ['external id', identity.externalId],
    ['name', orDash(identity.name)],
    ['rate limits', limitsText(identity)],
    ['metadata', JSON.stringify(identity.metadata)],
    ['version', String(identity.version)],
    ['updated at', identity.updatedAt],
  ]);
}
