/** The `tessera` command tree, and how its outcome becomes one exit status. */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { TesseraError } from '../core/errors.js';
import { DatabaseOpenError } from '../runtime/database-open-error.js';
import { registerAccountCommands } from './account-commands.js';
import { registerAuditCommands } from './audit-commands.js';
import { registerCatalogCommands } from './catalog-commands.js';
import { registerEndpointCommands } from './endpoint-commands.js';
import { registerIdentityCommands } from './identity-commands.js';
import { registerWebhookCommands } from './webhook-commands.js';
import { registerCreditCommands } from './credit-commands.js';
import { addHelpExamples } from './help-examples.js';
import { UsageError } from './cli-options.js';
import { registerInitCommand } from './init-command.js';
import { registerKeysCommand } from './keys-command.js';
import type { CliIo } from './output.js';
import { registerScanCommand } from './scan-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerTokenCommands } from './token-commands.js';
import { registerVerifyCommand } from './verify-command.js';

// Read at run time: package.json sits two levels above both src/cli and dist/cli.
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function buildProgram(io: CliIo): Command {
  const program = new Command('tessera')
    .description('Least-privilege API tokens: issue, verify, rotate, revoke, audit.\n' +
      'Commands act on the database file (--db) or, with --url and --token, on a running server.')
    .version(version)
    // Set before any subcommand is added: `.command()` copies these settings into each child.
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerServeCommand(program, io);
  registerInitCommand(program, io);
  registerTokenCommands(program, io);
  registerVerifyCommand(program, io);
  registerAccountCommands(program, io);
  registerAuditCommands(program, io);
  registerKeysCommand(program, io);
  registerCatalogCommands(program, io);
  registerEndpointCommands(program, io);
  registerIdentityCommands(program, io);
  registerWebhookCommands(program, io);
  registerCreditCommands(program, io);
  registerScanCommand(program, io);
  addHelpExamples(program);
  return program;
}

/** Runs the command line and answers the exit status: 0 ok, 1 refused or failed, 2 called wrongly. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return io.exitCode;
  } catch (error) {
    return reportError(io, error);
  }
}

function reportError(io: CliIo, error: unknown): number {
  // Commander has already printed its message (or the help, or the version).
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
  if (error instanceof UsageError) {
    io.stderr(`error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof DatabaseOpenError) {
    io.stderr(`error: ${error.message}\n`);
    return EXIT_FAILED;
  }
  if (error instanceof TesseraError) {
    io.stderr(`error: ${error.code}: ${error.message}\n`);
    return EXIT_FAILED;
  }
  io.stderr(`error: INTERNAL: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT_FAILED;
}
