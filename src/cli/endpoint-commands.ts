/** `tessera endpoint …` (auth, regenerate, tokens) and `tessera endpoint-token …` (secondaries): the integration platform's endpoint tokens. */
import { Option, type Command } from 'commander';
import type { AssignmentInput, EndpointAuthView, EndpointTokenView } from '../service/index.js';
import type { TokenStatusFilter } from '../store/store.js';
import { UsageError, addBackendOptions, collect, parseWhole, withBackend, type CommonFlags } from './cli-options.js';
import { keyValues, orDash, print, secretLines, table, type CliIo } from './output.js';

type PageFlags = { limit?: string; cursor?: string };

export function registerEndpointCommands(program: Command, io: CliIo): void {
  const endpoint = program.command('endpoint').description('token authentication of integration endpoints (primary tokens)');

  addBackendOptions(endpoint.command('list').description('token-authenticated endpoints of the catalog'))
    .action((flags: CommonFlags) =>
      withBackend(io, flags, async (backend) =>
        print(io, !!flags.json, await backend.endpointList(), (r) =>
          r.items.length === 0 ? ['no token-authenticated endpoints in the catalog'] : table(
            ['ENDPOINT', 'MODE', 'DELETE', 'PRIMARIES'],
            r.items.map((e) => [e.id, e.mode, e.allowDelete ? 'allowed' : 'no', primaryMethods(e)]),
          ),
        ),
      ),
    );

  addBackendOptions(endpoint.command('auth').description('show, or with flags set, an endpoint’s authentication').argument('<id>'))
    .addOption(new Option('--mode <mode>', 'token: primaries and secondaries; internal: primaries only; none').choices(['token', 'none', 'internal']))
    .option('--allow-delete', 'generate a DELETE primary token')
    .option('--no-allow-delete', 'revoke the DELETE primary token')
    .action((id: string, flags: CommonFlags & { mode?: 'token' | 'none' | 'internal'; allowDelete?: boolean }) =>
      withBackend(io, flags, async (backend) => {
        if (flags.mode === undefined && flags.allowDelete === undefined) {
          print(io, !!flags.json, await backend.endpointAuthGet(id), authLines);
          return;
        }
        const result = await backend.endpointAuthSet(id, {
          ...(flags.mode !== undefined ? { mode: flags.mode } : {}),
          ...(flags.allowDelete !== undefined ? { allowDelete: flags.allowDelete } : {}),
        });
        print(io, !!flags.json, result, (r) => [
          ...authLines(r),
          ...r.generated.flatMap((g) => ['', `New ${g.method} primary ${g.tokenId}, secret (shown once, store it now):`, g.secret]),
        ]);
      }),
    );

  addBackendOptions(endpoint.command('regenerate').description('new secret for a primary token; prints it once').argument('<id>').argument('<method>'))
    .option('--overlap-seconds <n>', 'keep the old secret working this long (default 0)')
    .action((id: string, method: string, flags: CommonFlags & { overlapSeconds?: string }) =>
      withBackend(io, flags, async (backend) => {
        const overlapSeconds = parseWhole(flags.overlapSeconds, 'overlapSeconds');
        const rotated = await backend.endpointRegenerate(id, method.toUpperCase(), overlapSeconds !== undefined ? { overlapSeconds } : {});
        print(io, !!flags.json, rotated, (r) => [
          ...keyValues([['primary', `${r.method} ${r.token.id}`], ['old secret until', r.previousSecretExpiresAt]]),
          ...secretLines(r.secret),
        ]);
      }),
    );

  addBackendOptions(endpoint.command('tokens').description('secondary tokens assigned to the endpoint (or not, or all)').argument('<id>'))
    .addOption(new Option('--assigned <which>', 'assigned to it, not, or all').choices(['true', 'false', 'all']).default('true'))
    .addOption(new Option('--status <status>', 'which tokens').choices(['active', 'inactive', 'all']).default('all'))
    .option('--limit <n>', 'page size, 1 to 200')
    .option('--cursor <cursor>', 'nextCursor of the previous page')
    .action((id: string, flags: CommonFlags & PageFlags & { assigned: 'true' | 'false' | 'all'; status: TokenStatusFilter }) =>
      withBackend(io, flags, async (backend) => {
        const page = await backend.endpointTokens(id, { assigned: flags.assigned, status: flags.status, ...pageInput(flags) });
        print(io, !!flags.json, page, secondaryTable);
      }),
    );

  const secondary = program.command('endpoint-token').description('secondary endpoint tokens, one per application');

  addBackendOptions(secondary.command('create').description('create a secondary token; prints its secret once'))
    .requiredOption('--name <name>', 'the application’s name')
    .option('--description <text>', 'what it is used for')
    .option('--disabled', 'create it switched off')
    .option('--assign <endpoint:METHOD>', 'assign to a primary, e.g. orders:POST (repeatable)', collect)
    .action((flags: CommonFlags & { name: string; description?: string; disabled?: boolean; assign?: string[] }) =>
      withBackend(io, flags, async (backend) => {
        const created = await backend.endpointTokenCreate({
          name: flags.name,
          ...(flags.description !== undefined ? { description: flags.description } : {}),
          ...(flags.disabled ? { enabled: false } : {}),
          ...(flags.assign ? { assignments: flags.assign.map(parseAssignment) } : {}),
        });
        print(io, !!flags.json, created, (r) => [...secondaryLines(r.token), ...secretLines(r.secret)]);
      }),
    );

  addBackendOptions(secondary.command('list').description('secondary tokens, newest first (active ones unless --status)'))
    .addOption(new Option('--status <status>', 'which tokens').choices(['active', 'inactive', 'all']).default('active'))
    .option('--limit <n>', 'page size, 1 to 200')
    .option('--cursor <cursor>', 'nextCursor of the previous page')
    .action((flags: CommonFlags & PageFlags & { status: TokenStatusFilter }) =>
      withBackend(io, flags, async (backend) =>
        print(io, !!flags.json, await backend.endpointTokenList({ status: flags.status, ...pageInput(flags) }), secondaryTable),
      ),
    );

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    addBackendOptions(secondary.command(action).description(`${enabled ? 'activate' : 'deactivate'} one integration`).argument('<id>'))
      .action((id: string, flags: CommonFlags) =>
        withBackend(io, flags, async (backend) => print(io, !!flags.json, await backend.endpointTokenSetEnabled(id, enabled), secondaryLines)),
      );
  }

  for (const action of ['assign', 'unassign'] as const) {
    addBackendOptions(secondary.command(action).description(`${action} primaries (endpoint:METHOD, e.g. orders:POST)`).argument('<id>').argument('<primaries...>'))
      .action((id: string, primaries: string[], flags: CommonFlags) =>
        withBackend(io, flags, async (backend) => {
          const change = primaries.map(parseAssignment);
          const key = (a: AssignmentInput) => `${a.endpoint} ${a.method}`;
          const current = (await backend.endpointTokenShow(id)).assignments.map((a) => ({ endpoint: a.endpoint, method: a.method }));
          const removing = new Set(change.map(key));
          const next = action === 'assign' ? [...current, ...change] : current.filter((a) => !removing.has(key(a)));
          print(io, !!flags.json, await backend.endpointTokenAssign(id, next), secondaryLines);
        }),
      );
  }
}

function parseAssignment(text: string): AssignmentInput {
  const at = text.lastIndexOf(':');
  if (at <= 0 || at === text.length - 1) throw new UsageError(`"${text}" is not endpoint:METHOD (e.g. orders:POST)`);
  return { endpoint: text.slice(0, at), method: text.slice(at + 1).toUpperCase() };
}

function pageInput(flags: PageFlags): { limit?: number; cursor?: string } {
  const limit = parseWhole(flags.limit, 'limit');
  return { ...(limit !== undefined ? { limit } : {}), ...(flags.cursor ? { cursor: flags.cursor } : {}) };
}

function primaryMethods(e: EndpointAuthView): string {
  return orDash(e.primaries.filter((p) => p.token.status === 'active').map((p) => p.method).join(' '));
}

function authLines(e: EndpointAuthView): string[] {
  return [
    ...keyValues([['endpoint', e.id], ['mode', e.mode], ['allow delete', e.allowDelete ? 'yes' : 'no'], ['routes', e.routes.join(', ')]]),
    ...(e.primaries.length > 0 ? ['', ...table(['METHOD', 'PRIMARY', 'STATUS', 'HINT'], e.primaries.map((p) => [p.method, p.token.id, p.token.status, p.token.hint]))] : []),
  ];
}

const assignmentText = (t: EndpointTokenView) => orDash(t.assignments.map((a) => `${a.endpoint}:${a.method}${a.active ? '' : ' (inactive)'}`).join(', '));

function secondaryLines(t: EndpointTokenView): string[] {
  return keyValues([
    ['id', t.token.id],
    ['name', t.token.name],
    ['description', orDash(t.token.description)],
    ['status', t.token.status],
    ['hint', t.token.hint],
    ['assigned to', assignmentText(t)],
  ]);
}

function secondaryTable(page: { items: EndpointTokenView[]; nextCursor: string | null }): string[] {
  return [
    ...(page.items.length > 0
      ? table(['ID', 'NAME', 'STATUS', 'ASSIGNED TO'], page.items.map((t) => [t.token.id, t.token.name, t.token.status, assignmentText(t)]))
      : ['no endpoint tokens']),
    ...(page.nextCursor ? ['', `more: --cursor ${page.nextCursor}`] : []),
  ];
}
