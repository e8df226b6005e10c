/** `tessera verify <token>`: the same check as POST /v1/verify, printed in the same shape. */
import type { Command } from 'commander';
import { addBackendOptions, collect, withBackend, type CommonFlags } from './cli-options.js';
import { keyValues, orDash, print, type CliIo } from './output.js';

export function registerVerifyCommand(program: Command, io: CliIo): void {
  addBackendOptions(
    program
      .command('verify')
      .description('check a token secret; exits 0 when VALID, 1 for any other outcome')
      .argument('<token>', 'the secret to check (tsr_…)'),
  )
    .option('--scope <scope>', 'a permission the token must hold (repeatable; all are required)', collect)
    .option('--ip <address>', 'the client address to check against the allowed IPs')
    .action((secret: string, flags: CommonFlags & { scope?: string[]; ip?: string }) =>
      withBackend(io, flags, async (backend) => {
        const result = await backend.verify({ token: secret, scopes: flags.scope ?? [], ...(flags.ip ? { ip: flags.ip } : {}) });
        print(io, !!flags.json, result, (r) => [
          r.code,
          ...(r.tokenId === null
            ? []
            : keyValues([
                ['token id', r.tokenId],
                ['name', orDash(r.name)],
                ['profile id', orDash(r.profileId)],
                ['scopes', orDash(r.scopes.join(' '))],
                ['expires at', orDash(r.expiresAt)],
                ...(r.missingScopes ? ([['missing', r.missingScopes.join(' ')]] as [string, string][]) : []),
                ...('reason' in r && typeof r.reason === 'string' ? ([['reason', r.reason]] as [string, string][]) : []),
              ])),
        ]);
        // Like `audit verify`: scripts can branch on the exit status without parsing.
        if (!result.valid) io.exitCode = 1;
      }),
    );
}
