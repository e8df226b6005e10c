/**
 * `tessera token credits …` and `tessera identities credits …`: set, add and show credits; `tessera token ratelimits`
 * and `tessera identities ratelimits`: the current state of the rate limits (docs/limits.md).
 */
import type { Command } from 'commander';
import type { CreditRefillInput } from '../core/credits.js';
import type { CreditsView, LimitStateView, SetCreditsInput } from '../service/index.js';
import { addBackendOptions, UsageError, withBackend, type CommonFlags } from './cli-options.js';
import { keyValues, print, table, type CliIo } from './output.js';

interface SetFlags extends CommonFlags {
  remaining?: string;
  /** `false` with `--no-refill`. */
  refill?: string | false;
  strict?: boolean;
}

const groups = [
  { group: 'token', holder: 'token', what: 'token' },
  { group: 'identities', holder: 'identity', what: 'identity' },
] as const;

/** Adds `credits set|add|show` under `token` and `identities` (registered before this). */
export function registerCreditCommands(program: Command, io: CliIo): void {
  for (const { group, holder, what } of groups) {
    const parent = program.commands.find((c) => c.name() === group);
    if (parent === undefined) throw new Error(`register the ${group} commands before their credits`);
    const credits = parent.command('credits').description(`the ${what}'s credits: a balance each recorded check spends (audited)`);

    addBackendOptions(credits.command('set <id>').description(`set the ${what}'s remaining credits; --refill, --no-refill and --strict change the rule, which is kept otherwise`))
      .requiredOption('--remaining <n>', 'credits left (0 to 10^12)')
      .option('--refill <amount/interval>', 'refill to amount every interval (1000/1d, 500/3600) or monthly on a day (1000/monthly:1)')
      .option('--no-refill', 'no refill')
      .option('--strict', 'one atomic database update per check (exact across instances, slower)')
      .option('--no-strict', 'decided in memory (the default)')
      .action((id: string, flags: SetFlags) =>
        withBackend(io, flags, async (backend) => {
          const input: SetCreditsInput = { remaining: count(flags.remaining!, '--remaining') };
          if (typeof flags.refill === 'string') input.refill = parseRefill(flags.refill);
          else if (flags.refill === false) input.refill = null;
          if (flags.strict !== undefined) input.strict = flags.strict;
          print(io, !!flags.json, await backend.creditsSet(holder, id, input), creditLines);
        }),
      );

    addBackendOptions(credits.command('add <id> <amount>').description(`add to the ${what}'s credits (after any refill due)`))
      .action((id: string, amount: string, flags: CommonFlags) =>
        withBackend(io, flags, async (backend) => print(io, !!flags.json, await backend.creditsAdd(holder, id, count(amount, 'amount')), creditLines)),
      );

    addBackendOptions(credits.command('show <id>').description(`the ${what}'s credits as stored (what checks spent reaches it within a flush interval)`))
      .action((id: string, flags: CommonFlags) =>
        withBackend(io, flags, async (backend) => {
          const view = holder === 'token' ? await backend.show(id) : await backend.identityShow(id);
          print(io, !!flags.json, view.credits, (c) => (c === null ? [`${id} has no credits`] : creditLines(c)));
        }),
      );

    const whose = holder === 'token' ? 'its own, those of the tokens that made it, its identity\'s' : 'shared by all its tokens';
    addBackendOptions(parent.command('ratelimits <id>').description(`the current state of the ${what}'s rate limits (${whose}): what is left in each window, consuming nothing`))
      .action((id: string, flags: CommonFlags) =>
        withBackend(io, flags, async (backend) => print(io, !!flags.json, await backend.rateLimits(holder, id), ({ ratelimits }) => limitStateLines(id, ratelimits))),
      );
  }
}

function limitStateLines(id: string, states: readonly LimitStateView[]): string[] {
  if (states.length === 0) return [`${id} has no rate limits`];
  return table(
    ['NAME', 'HOLDER', 'REMAINING', 'LIMIT', 'WINDOW', 'RESETS'],
    states.map((s) => [s.name, `${s.holder} ${s.holderId}`, String(s.remaining), String(s.limit), `${s.duration}s`, s.reset]),
  );
}

/** A whole number as typed; anything else is the caller's mistake (exit 2), range checks are the service's. */
function count(text: string, flag: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${flag}: expected a whole number, got ${text}`);
  return Number(text);
}

export function parseRefill(text: string): CreditRefillInput {
  const match = /^(\d+)\/(?:monthly:(\d+)|(.+))$/.exec(text.trim());
  if (!match) throw new UsageError(`--refill: expected amount/interval such as 1000/1d, or amount/monthly:day such as 1000/monthly:1, got ${text}`);
  const amount = Number(match[1]);
  if (match[2] !== undefined) return { amount, monthlyOn: Number(match[2]) };
  return { amount, interval: /^\d+$/.test(match[3]!) ? Number(match[3]) : match[3]! };
}

function refillText(credits: CreditsView): string {
  const { refill } = credits;
  if (refill === null) return 'none';
  return 'interval' in refill ? `to ${refill.amount} every ${refill.interval}s` : `to ${refill.amount} monthly on day ${refill.monthlyOn}`;
}

export function creditLines(credits: CreditsView): string[] {
  return keyValues([
    ['remaining', String(credits.remaining)],
    ['refill', refillText(credits)],
    ['strict', credits.strict ? 'yes (one database update per check)' : 'no (decided in memory)'],
  ]);
}
