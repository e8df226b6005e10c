/** `tessera account show` and `tessera account policy show|set`: the account's policy, which only the API could change. */
import type { Command } from 'commander';
import ms from 'ms';
import type { AccountPolicy, AccountRecord } from '../core/types.js';
import { addBackendOptions, UsageError, withBackend, type CommonFlags } from './cli-options.js';
import { keyValues, print, type CliIo } from './output.js';

interface PolicyFlags extends CommonFlags {
  permissionsEditable?: string;
  maxLifetime?: string;
  allowAppScheme?: string;
  allowQueryToken?: string;
  verifyRequiresPermission?: string;
  leakResponse?: string;
  dormantTokens?: string;
}

/** Each boolean field of the policy, its flag, and what it means. */
const switches = [
  ['permissionsEditable', '--permissions-editable', 'scopes and deny rules of existing tokens may be edited'],
  ['allowAppScheme', '--allow-app-scheme', 'accept Authorization: App <token>'],
  ['allowQueryToken', '--allow-query-token', 'accept ?access_token= (ends up in access logs)'],
  ['verifyRequiresPermission', '--verify-requires-permission', 'verify callers must hold tokens:verify'],
] as const satisfies readonly (readonly [keyof PolicyFlags & keyof AccountPolicy, string, string])[];

export function registerAccountCommands(program: Command, io: CliIo): void {
  const account = program.command('account').description('the account the CLI acts for, and its policy');

  addBackendOptions(account.command('show').description('show the account: id, name, token prefix and policy'))
    .action((flags: CommonFlags) => withBackend(io, flags, async (backend) => print(io, !!flags.json, await backend.accountShow(), accountLines)));

  const policy = account.command('policy').description('rules every token of the account follows');
  addBackendOptions(policy.command('show').description('show the account policy'))
    .action((flags: CommonFlags) =>
      withBackend(io, flags, async (backend) => print(io, !!flags.json, (await backend.accountShow()).policy, policyLines)),
    );

  const set = addBackendOptions(policy.command('set').description('change the policy; only the flags given change (audited)'));
  for (const [, flag, meaning] of switches) set.option(`${flag} <true|false>`, meaning);
  set
    .option('--max-lifetime <duration>', 'longest token lifetime: 90d, 12h, 3600s… (at least 60s), or none for unlimited')
    .option('--leak-response <disable|revoke>', 'what a leak report does to a live token it names (docs/leaks.md)')
    .option('--dormant-tokens <days:warn-days|none>', 'disable tokens unused for <days>, warning (token.unused webhook) <warn-days> before; none: off (docs/webhooks.md)')
    .action((flags: PolicyFlags) =>
      withBackend(io, flags, async (backend) => print(io, !!flags.json, (await backend.accountPolicySet(policyPatch(flags))).policy, policyLines)),
    );
}

/** The flags given, as the PATCH body; a bad value is refused naming its flag, before anything is opened. */
export function policyPatch(flags: PolicyFlags): Partial<AccountPolicy> {
  const patch: Partial<AccountPolicy> = {};
  for (const [field, flag] of switches) {
    const value = flags[field];
    if (value === undefined) continue;
    if (value !== 'true' && value !== 'false') throw new UsageError(`${flag}: expected true or false, got ${value}`);
    patch[field] = value === 'true';
  }
  if (flags.maxLifetime !== undefined) patch.maxLifetimeSeconds = lifetimeSeconds(flags.maxLifetime);
  if (flags.leakResponse !== undefined) {
    if (flags.leakResponse !== 'disable' && flags.leakResponse !== 'revoke') {
      throw new UsageError(`--leak-response: expected disable or revoke, got ${flags.leakResponse}`);
    }
    patch.leakResponse = flags.leakResponse;
  }
  if (flags.dormantTokens !== undefined) patch.dormantTokens = dormantTokens(flags.dormantTokens);
  if (Object.keys(patch).length === 0) {
    throw new UsageError(`policy set: give at least one of ${[...switches.map(([, flag]) => flag), '--max-lifetime', '--leak-response', '--dormant-tokens'].join(', ')}`);
  }
  return patch;
}

/** `90:7` → disable after 90 days unused, warn 7 days before; `none` → off. The server checks the numbers. */
function dormantTokens(text: string): AccountPolicy['dormantTokens'] {
  if (text === 'none') return null;
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match) throw new UsageError(`--dormant-tokens: expected <days>:<warn-days> such as 90:7, or none, got ${text}`);
  return { disableAfterDays: Number(match[1]), warnBeforeDays: Number(match[2]) };
}

function lifetimeSeconds(text: string): number | null {
  if (text === 'none') return null;
  // `ms` reads "90d", "12h", "1.5h"; a bare number would be milliseconds to it, so whole seconds are read here.
  const millis = /^\d+$/.test(text) ? Number(text) * 1000 : /^\d+(\.\d+)?\s*[a-z]+$/i.test(text) ? ms(text as ms.StringValue) : undefined;
  if (millis === undefined || !Number.isFinite(millis) || millis % 1000 !== 0 || millis < 60_000) {
    throw new UsageError(`--max-lifetime: expected a duration of at least 60s in whole seconds (90d, 12h, 3600s, 3600) or none, got ${text}`);
  }
  return millis / 1000;
}

function accountLines(account: AccountRecord): string[] {
  return [...keyValues([['account', account.id], ['name', account.name], ['token prefix', account.tokenPrefix], ['created at', account.createdAt]]), '', ...policyLines(account.policy)];
}

function policyLines(policy: AccountPolicy): string[] {
  return keyValues([
    ['permissions editable', String(policy.permissionsEditable)],
    ['max lifetime', policy.maxLifetimeSeconds === null ? 'none' : `${policy.maxLifetimeSeconds}s (${ms(policy.maxLifetimeSeconds * 1000, { long: true })})`],
    ['allow App scheme', String(policy.allowAppScheme)],
    ['allow query token', String(policy.allowQueryToken)],
    ['verify requires permission', String(policy.verifyRequiresPermission)],
    ['leak response', policy.leakResponse],
    ['dormant tokens', policy.dormantTokens === null ? 'off' : `disabled after ${policy.dormantTokens.disableAfterDays} days unused, warned ${policy.dormantTokens.warnBeforeDays} days before`],
  ]);
}
