/** `tessera serve`: run the HTTP server; JSON logs on stdout, a human banner on stderr, clean stop on signals. */
import type { Command } from 'commander';
import { resolveServerConfig } from '../runtime/config.js';
import type { RunningServer } from '../runtime/start-server.js';
import type { CliIo } from './output.js';

interface ServeFlags {
  db?: string;
  host?: string;
  port?: string;
  logLevel?: string;
  json?: boolean;
}

export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('run the HTTP API and console')
    .option('--db <file>', 'SQLite database file (env TESSERA_DB, default ./data/tessera.db; or DATABASE_URL)')
    .option('--host <host>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env PORT, default 8080; 0 picks a free one)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (env LOG_LEVEL, default info)')
    .option('--json', 'write the banner to stderr as one JSON line (stdout carries the JSON logs)')
    .action(async (flags: ServeFlags) => {
      const config = resolveServerConfig({ flags, env: io.env });
      // Listening before anything is printed: whoever reads the banner may signal at once.
      const stopped = onceStopSignal(io);
      // Loaded here so that token commands do not pay for the HTTP stack at start-up.
      const { startServer } = await import('../runtime/start-server.js');
      const server = await startServer(config);
      io.stderr(flags.json ? `${JSON.stringify(bannerJson(server))}\n` : bannerLines(server).map((line) => `${line}\n`).join(''));
      await stopped;
      await server.close();
    });
}

function bannerLines(server: RunningServer): string[] {
  const lines = [`Tessera listening on ${server.url}`, `Web console at ${server.url}/console/`, `API docs at ${server.url}/docs`];
  if (server.socketPath !== null) lines.splice(1, 0, `Also listening on unix:${server.socketPath}`);
  if (server.bootstrap) {
    lines.push(
      '',
      'First start: created the default account and its root token (holds every permission).',
      'WARNING: the root token is shown only now, never again. Store it in a secret manager:',
      '',
      `  ${server.bootstrap.root.secret}`,
      '',
    );
  }
  return lines;
}

function bannerJson(server: RunningServer) {
  const root = server.bootstrap && { accountId: server.bootstrap.account.id, token: server.bootstrap.root.token, secret: server.bootstrap.root.secret };
  return { url: server.url, socketPath: server.socketPath, docsUrl: `${server.url}/docs`, bootstrap: root };
}

/** Resolves at the first SIGINT or SIGTERM; a second one exits at once, for a shutdown that hangs. */
function onceStopSignal(io: CliIo): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      io.stderr(`${signal}: shutting down…\n`);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
