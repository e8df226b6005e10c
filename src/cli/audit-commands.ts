/** `tessera audit list|verify`: read the management trail and check its hash chain. */
import type { Command } from 'commander';
import type { AuditAction } from '../core/types.js';
import { addBackendOptions, parseWhole, withBackend, type CommonFlags } from './cli-options.js';
import { orDash, print, table, type CliIo } from './output.js';

interface AuditListFlags extends CommonFlags {
  tokenId?: string;
  action?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

export function registerAuditCommands(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('the append-only trail of management actions');

  addBackendOptions(audit.command('list').description('list audit events, newest first'))
    .option('--token-id <id>', 'events where this token acted or was acted on')
    .option('--action <action>', 'only this action, e.g. token.revoke')
    .option('--from <time>', 'RFC 3339 time, inclusive')
    .option('--to <time>', 'RFC 3339 time')
    .option('--limit <n>', 'page size, 1 to 200')
    .option('--cursor <cursor>', 'nextCursor of the previous page')
    .action((flags: AuditListFlags) =>
      withBackend(io, flags, async (backend) => {
        const limit = parseWhole(flags.limit, 'limit');
        const page = await backend.auditList({
          ...(flags.tokenId ? { tokenId: flags.tokenId } : {}),
          // The service and the API check the action name; the CLI passes it through.
          ...(flags.action ? { action: flags.action as AuditAction } : {}),
          ...(flags.from ? { from: flags.from } : {}),
          ...(flags.to ? { to: flags.to } : {}),
          ...(limit !== undefined ? { limit } : {}),
          ...(flags.cursor ? { cursor: flags.cursor } : {}),
        });
        print(io, !!flags.json, page, (p) => [
          ...(p.items.length > 0
            ? table(
                ['SEQ', 'AT', 'ACTION', 'TARGET', 'ACTOR'],
                p.items.map((e) => [String(e.seq), e.at, e.action, `${e.targetType} ${e.targetId}`, orDash(e.actor ?? 'cli')]),
              )
            : ['no audit events']),
          ...(p.nextCursor ? ['', `more: --cursor ${p.nextCursor}`] : []),
        ]);
      }),
    );

  addBackendOptions(audit.command('verify').description('check the hash chain; exits 1 if an event was edited or removed'))
    .action((flags: CommonFlags) =>
      withBackend(io, flags, async (backend) => {
        const check = await backend.auditVerify();
        print(io, !!flags.json, check, (c) => [
          c.ok ? `audit chain ok: ${c.events} events` : `audit chain BROKEN at event ${c.seq}: ${c.problem}`,
        ]);
        if (!check.ok) io.exitCode = 1;
      }),
    );
}
