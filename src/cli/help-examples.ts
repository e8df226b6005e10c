/** An example under every command's `--help`, from one table, so that a new command without one is noticed. */
import type { Command } from 'commander';

/** Command path (as typed after `tessera`) → example command lines. Groups show their most common use. */
export const helpExamples: Record<string, string[]> = {
  '': ['tessera init && tessera serve', 'tessera token create --name ci --scope tokens:read --json'],
  serve: ['tessera serve --db /var/lib/tessera/tessera.db --host 0.0.0.0 --port 8080'],
  init: ['tessera init --db /var/lib/tessera/tessera.db --json'],
  token: ['tessera token list --status all'],
  'token create': [
    "tessera token create --name billing --profile-id billing-bot --scope message:send --expires-at 2027-01-01T00:00:00Z",
    'tessera token create --name support --template support-agent --template read-only',
  ],
  'token list': ['tessera token list --status inactive --search ci --json'],
  'token show': ['tessera token show tok_1a2b3c --json'],
  'token update': ["tessera token update tok_1a2b3c --name nightly --expires-at none --metadata '{\"team\":\"ops\"}'"],
  'token enable': ['tessera token enable tok_1a2b3c'],
  'token disable': ['tessera token disable tok_1a2b3c'],
  'token rotate': ['tessera token rotate tok_1a2b3c --overlap-seconds 300'],
  'token revoke': ['tessera token revoke tok_1a2b3c'],
  'token delete': ['tessera token delete tok_1a2b3c tok_4d5e6f'],
  verify: ['tessera verify "$TOKEN" --scope message:send --ip 203.0.113.7'],
  scan: ['tessera scan . --json', 'tessera scan --git ~/src/app --url https://tessera.internal --token "$TESSERA_TOKEN"'],
  account: ['tessera account policy set --permissions-editable true --max-lifetime 90d'],
  'account show': ['tessera account show --json'],
  'account policy': ['tessera account policy show'],
  'account policy show': ['tessera account policy show --url https://tessera.internal --token "$TESSERA_TOKEN"'],
  'account policy set': ['tessera account policy set --permissions-editable true --max-lifetime 90d', 'tessera account policy set --max-lifetime none', 'tessera account policy set --dormant-tokens 90:7'],
  audit: ['tessera audit list --action token.revoke'],
  'audit list': ['tessera audit list --token-id tok_1a2b3c --from 2026-01-01T00:00:00Z --json'],
  'audit verify': ['tessera audit verify'],
  keys: ['tessera keys rotate'],
  'keys rotate': ['tessera keys rotate --url https://tessera.internal --token "$TESSERA_TOKEN"'],
  catalog: ['tessera catalog validate catalog.yaml'],
  'catalog validate': ['tessera catalog validate catalog.yaml          # no database needed', 'tessera catalog validate catalog.json --db ./data/tessera.db --json'],
  'catalog apply': ['tessera catalog apply catalog.yaml --force'],
  'catalog show': ['tessera catalog show --version 3'],
  'catalog versions': ['tessera catalog versions --json'],
  'catalog diff': ['tessera catalog diff catalog.yaml'],
  identities: ['tessera identities list'],
  'identities list': ['tessera identities list --external-id cust-42 --json'],
  'identities show': ['tessera identities show idn_1a2b3c'],
  'identities create': ['tessera identities create --external-id cust-42 --name "Acme Ltd" --rate-limit per-minute=100/1m --rate-limit per-day=10000/1d'],
  'identities update': ['tessera identities update idn_1a2b3c --rate-limit per-minute=500/1m', 'tessera identities update idn_1a2b3c --no-rate-limits'],
  'identities delete': ['tessera identities delete idn_1a2b3c     # its tokens keep working, without it'],
  'identities credits': ['tessera identities credits show idn_1a2b3c'],
  'identities credits set': ['tessera identities credits set idn_1a2b3c --remaining 10000 --refill 10000/monthly:1'],
  'identities credits add': ['tessera identities credits add idn_1a2b3c 500'],
  'identities credits show': ['tessera identities credits show idn_1a2b3c --json'],
  'identities ratelimits': ['tessera identities ratelimits idn_1a2b3c'],
  'token credits': ['tessera token credits show tok_1a2b3c'],
  'token credits set': ['tessera token credits set tok_1a2b3c --remaining 1000 --refill 1000/1d', 'tessera token credits set tok_1a2b3c --remaining 50 --no-refill --strict'],
  'token credits add': ['tessera token credits add tok_1a2b3c 500 --url https://tessera.internal --token "$TESSERA_TOKEN"'],
  'token credits show': ['tessera token credits show tok_1a2b3c --json'],
  'token ratelimits': ['tessera token ratelimits tok_1a2b3c', 'tessera token ratelimits tok_1a2b3c --json --url https://tessera.internal --token "$TESSERA_TOKEN"'],
  endpoint: ['tessera endpoint list'],
  'endpoint list': ['tessera endpoint list --json'],
  'endpoint auth': ['tessera endpoint auth orders --mode token --allow-delete'],
  'endpoint regenerate': ['tessera endpoint regenerate orders POST --overlap-seconds 60'],
  webhooks: ['tessera webhooks list'],
  'webhooks create': ['tessera webhooks create https://hooks.example.com/tessera --event token.revoked --event token.leaked', 'tessera webhooks create http://127.0.0.1:9000/in --json   # every event type'],
  'webhooks list': ['tessera webhooks list --json'],
  'webhooks get': ['tessera webhooks get whk_1a2b3c'],
  'webhooks update': ['tessera webhooks update whk_1a2b3c --event "*" --disable'],
  'webhooks delete': ['tessera webhooks delete whk_1a2b3c'],
  'webhooks rotate-secret': ['tessera webhooks rotate-secret whk_1a2b3c --overlap-seconds 3600'],
  'webhooks deliveries': ['tessera webhooks deliveries whk_1a2b3c --limit 20'],
  'webhooks redeliver': ['tessera webhooks redeliver whk_1a2b3c msg_4d5e6f'],
  'endpoint tokens': ['tessera endpoint tokens orders --assigned false'],
  'endpoint-token': ['tessera endpoint-token list'],
  'endpoint-token create': ['tessera endpoint-token create --name shop --assign orders:POST --assign orders:GET'],
  'endpoint-token list': ['tessera endpoint-token list --status all'],
  'endpoint-token enable': ['tessera endpoint-token enable tok_1a2b3c'],
  'endpoint-token disable': ['tessera endpoint-token disable tok_1a2b3c'],
  'endpoint-token assign': ['tessera endpoint-token assign tok_1a2b3c orders:POST'],
  'endpoint-token unassign': ['tessera endpoint-token unassign tok_1a2b3c orders:GET'],
};

/** Every command path under `command`, as typed after `tessera` ('' for the program itself). */
export function commandPaths(command: Command, prefix: string[] = []): string[] {
  return [prefix.join(' '), ...command.commands.flatMap((sub) => commandPaths(sub, [...prefix, sub.name()]))];
}

export function addHelpExamples(program: Command): void {
  const visit = (command: Command, prefix: string[]) => {
    const examples = helpExamples[prefix.join(' ')];
    if (examples) command.addHelpText('after', `\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((line) => `  $ ${line}`).join('\n')}\n`);
    for (const sub of command.commands) visit(sub, [...prefix, sub.name()]);
  };
  visit(program, []);
}
