/** `tessera init`: create the default account and its root token in a new database, once. */
import type { Command } from 'commander';
import { resolveDatabase } from '../runtime/config.js';
import { addJsonOption } from './cli-options.js';
import { keyValues, print, secretLines, type CliIo } from './output.js';
import { tokenLines } from './token-view-text.js';

export function registerInitCommand(program: Command, io: CliIo): void {
  addJsonOption(
    program
      .command('init')
      .description('create the default account and a root token holding every permission (fails if already done)')
      .option('--db <file>', 'SQLite database file (env TESSERA_DB, default ./data/tessera.db)'),
  ).action(async (flags: { db?: string; json?: boolean }) => {
    const database = resolveDatabase(flags, io.env);
    const { openTessera } = await import('./local-backend.js');
    const tessera = await openTessera(database, { create: true });
    try {
      const { account, root } = await tessera.initialise();
      const result = { accountId: account.id, token: root.token, secret: root.secret };
      print(io, !!flags.json, result, (r) => [
        ...keyValues([['account', r.accountId], ['database', database.kind === 'sqlite' ? database.filename : 'DATABASE_URL']]),
        '',
        'Root token (holds every permission: keep it offline, create narrower tokens for daily use):',
        ...tokenLines(r.token),
        ...secretLines(r.secret),
      ]);
    } finally {
      await tessera.close();
    }
  });
}
