/** `tessera token …`: create, list, show, update, enable, disable, rotate, revoke, delete. */
import { Option, type Command } from 'commander';
import type { TokenStatusFilter } from '../store/store.js';
import { addBackendOptions, collect, parseWhole, withBackend, type CommonFlags } from './cli-options.js';
import { print, secretLines, type CliIo } from './output.js';
import { addTokenFieldOptions, createInput, updateInput, type TokenFlags } from './token-flags.js';
import { tokenLines, tokenTable } from './token-view-text.js';

/** Adds `token` under `program`; subcommands inherit its error and output settings. */
export function registerTokenCommands(program: Command, io: CliIo): void {
  const token = program.command('token').description('manage tokens');

  addTokenFieldOptions(addBackendOptions(token.command('create').description('create a token; prints its secret once')))
    .requiredOption('--name <name>', 'a name people recognise')
    .option('--id <id>', 'choose the id ([A-Za-z0-9_]{1,50}) instead of a generated tok_…')
    .option('--template <id>', 'a permission set (catalog template) whose scopes the token gets (repeatable)', collect)
    .action((flags: TokenFlags & CommonFlags) =>
      withBackend(io, flags, async (backend) => {
        const created = await backend.create(createInput(flags));
        print(io, !!flags.json, created, (r) => [...tokenLines(r.token), ...secretLines(r.secret)]);
      }),
    );

  addBackendOptions(token.command('list').description('list tokens, newest first (active ones unless --status)'))
    .addOption(new Option('--status <status>', 'which tokens').choices(['active', 'inactive', 'all']).default('active'))
    .option('--search <text>', 'part of the name, any case')
    .option('--limit <n>', 'page size, 1 to 200')
    .option('--cursor <cursor>', 'nextCursor of the previous page')
    .action((flags: CommonFlags & { status: TokenStatusFilter; search?: string; limit?: string; cursor?: string }) =>
      withBackend(io, flags, async (backend) => {
        const limit = parseWhole(flags.limit, 'limit');
        const page = await backend.list({
          status: flags.status,
          ...(flags.search ? { search: flags.search } : {}),
          ...(limit !== undefined ? { limit } : {}),
          ...(flags.cursor ? { cursor: flags.cursor } : {}),
        });
        print(io, !!flags.json, page, (p) => [
          ...(p.items.length > 0 ? tokenTable(p.items) : ['no tokens']),
          ...(p.nextCursor ? ['', `more: --cursor ${p.nextCursor}`] : []),
        ]);
      }),
    );

  addBackendOptions(token.command('show').description('show one token').argument('<id>'))
    .action((id: string, flags: CommonFlags) =>
      withBackend(io, flags, async (backend) => print(io, !!flags.json, await backend.show(id), tokenLines)),
    );

  addTokenFieldOptions(addBackendOptions(token.command('update').description('edit a token (only the flags given change)').argument('<id>')))
    .option('--name <name>', 'new name')
    .action((id: string, flags: TokenFlags & CommonFlags) =>
      withBackend(io, flags, async (backend) => print(io, !!flags.json, await backend.update(id, updateInput(flags)), tokenLines)),
    );

  for (const action of ['enable', 'disable'] as const) {
    addBackendOptions(token.command(action).description(`${action} a token (reversible)`).argument('<id>'))
      .action((id: string, flags: CommonFlags) =>
        withBackend(io, flags, async (backend) => print(io, !!flags.json, await backend[action](id), tokenLines)),
      );
  }

  addBackendOptions(token.command('rotate').description('new secret, same id and settings; prints the secret once').argument('<id>'))
    .option('--overlap-seconds <n>', 'keep the old secret working this long (default 0)')
    .action((id: string, flags: CommonFlags & { overlapSeconds?: string }) =>
      withBackend(io, flags, async (backend) => {
        const overlapSeconds = parseWhole(flags.overlapSeconds, 'overlapSeconds');
        const rotated = await backend.rotate(id, overlapSeconds !== undefined ? { overlapSeconds } : {});
        print(io, !!flags.json, rotated, (r) => [
          ...tokenLines(r.token),
          `old secret until: ${r.previousSecretExpiresAt}`,
          ...secretLines(r.secret),
        ]);
      }),
    );

  addBackendOptions(token.command('revoke').description('revoke a token and those it created (final)').argument('<id>'))
    .action((id: string, flags: CommonFlags) =>
      withBackend(io, flags, async (backend) => {
        print(io, !!flags.json, await backend.revoke(id), (r) => [
          ...tokenLines(r.token),
          ...(r.cascaded.length > 0 ? [`also revoked: ${r.cascaded.join(' ')}`] : []),
        ]);
      }),
    );

  addBackendOptions(token.command('delete').description('delete tokens, all or nothing (prefer revoke to keep the trail)').argument('<ids...>'))
    .action((ids: string[], flags: CommonFlags) =>
      withBackend(io, flags, async (backend) => {
        print(io, !!flags.json, await backend.delete(ids), (r) => [`deleted ${r.deleted.length}: ${r.deleted.join(' ')}`]);
      }),
    );
}
