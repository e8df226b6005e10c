/** `tessera catalog validate|apply|show|diff|versions`: the account's permission model from a YAML or JSON file. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CatalogIssue, EntryDiff } from '../core/catalog/index.js';
import { TesseraError, badRequest } from '../core/errors.js';
import type { CatalogInput, CatalogValidation } from '../service/index.js';
import { addBackendOptions, databaseExists, parseWhole, resolveTarget, withBackend, type CommonFlags } from './cli-options.js';
import { print, table, type CliIo } from './output.js';

/** Reads a catalog file; the format follows the extension (`.json`, else YAML). */
export function readCatalogFile(path: string): CatalogInput {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw badRequest('file', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return { source, format: path.toLowerCase().endsWith('.json') ? 'json' : 'yaml' };
}

const issueLines = (issues: readonly CatalogIssue[]) =>
  issues.map((i) => `  ${i.line !== undefined ? `line ${i.line}: ` : ''}${i.path || '(document)'}: ${i.message}`);

function diffLines(name: string, diff: EntryDiff): string[] {
  return [
    ...diff.added.map((k) => `+ ${name} ${k}`),
    ...diff.removed.map((k) => `- ${name} ${k}`),
    ...diff.changed.map((k) => `~ ${name} ${k}`),
  ];
}

export function registerCatalogCommands(program: Command, io: CliIo): void {
  const catalog = program.command('catalog').description("the account's permission catalog (scopes, resources, templates, endpoints)");

  addBackendOptions(catalog.command('validate').description('check a catalog file without applying it (alone when there is no database yet); exits 1 if invalid').argument('<file>'))
    .action(async (file: string, flags: CommonFlags) => {
      const report = (result: CatalogValidation, note: string[] = []) => {
        print(io, !!flags.json, result, (r) => [
          r.valid ? `${file}: valid` : `${file}: ${r.errors.length} problem(s)`,
          ...issueLines(r.errors),
          ...r.tokensWithUnknownPermissions.map((c) => `  token ${c.tokenId} (${c.name}) holds permissions this catalog does not declare`),
          ...note,
        ]);
        if (!result.valid) io.exitCode = 1;
      };
      const target = resolveTarget(flags, io.env);
      // Without a database (a CI job checking the file, say), the file is checked alone: no tokens to compare.
      if (target.kind === 'local' && !databaseExists(target.database)) {
        const input = readCatalogFile(file);
        const { compileAccountCatalog } = await import('../service/index.js');
        const compiled = compileAccountCatalog(input.source, input.format);
        const errors = compiled.ok ? [] : compiled.errors;
        report({ valid: compiled.ok, errors, tokensWithUnknownPermissions: [] }, ['(no database yet: the file was checked alone, not against live tokens)']);
        return;
      }
      await withBackend(io, flags, async (backend) => report(await backend.catalogValidate(readCatalogFile(file))));
    });

  addBackendOptions(catalog.command('apply').description('apply a catalog file as the next version').argument('<file>'))
    .option('--force', 'apply even if live tokens hold permissions the catalog does not declare')
    .action((file: string, flags: CommonFlags & { force?: boolean }) =>
      withBackend(io, flags, async (backend) => {
        try {
          const applied = await backend.catalogApply({ ...readCatalogFile(file), force: !!flags.force });
          print(io, !!flags.json, applied, (v) => [`applied catalog ${v.name} as version ${v.version}`]);
        } catch (error) {
          // Show every problem, not only the first one the error text names.
          const details = error instanceof TesseraError ? (error.details as { errors?: CatalogIssue[] } | undefined) : undefined;
          if (!flags.json && details?.errors) io.stderr(`${issueLines(details.errors).join('\n')}\n`);
          throw error;
        }
      }),
    );

  addBackendOptions(catalog.command('show').description('print the current catalog (or --version N) as it was written'))
    .option('--version <n>', 'a past version')
    .action((flags: CommonFlags & { version?: string }) =>
      withBackend(io, flags, async (backend) => {
        const record = await backend.catalogShow(parseWhole(flags.version, 'version'));
        print(io, !!flags.json, record, (r) => [`# ${r.name}, version ${r.version}, applied ${r.createdAt} by ${r.createdBy ?? 'cli'}`, r.source.trimEnd()]);
      }),
    );

  addBackendOptions(catalog.command('versions').description('list applied versions, newest first'))
    .action((flags: CommonFlags) =>
      withBackend(io, flags, async (backend) => {
        const page = await backend.catalogVersions();
        print(io, !!flags.json, page, (p) =>
          p.items.length === 0 ? ['no catalog applied yet'] : table(['VERSION', 'NAME', 'FORMAT', 'APPLIED', 'BY'], p.items.map((v) => [String(v.version), v.name, v.format, v.createdAt, v.createdBy ?? 'cli'])),
        );
      }),
    );

  addBackendOptions(catalog.command('diff').description('what applying a file would change against the current catalog (or --version N)').argument('<file>'))
    .option('--version <n>', 'compare against this version instead of the current one')
    .action((file: string, flags: CommonFlags & { version?: string }) =>
      withBackend(io, flags, async (backend) => {
        const { diffCatalogs, parseCatalog } = await import('../core/catalog/index.js');
        const input = readCatalogFile(file);
        const next = parseCatalog(input.source, input.format);
        if (!next.ok) throw new TesseraError('BAD_REQUEST', `file: ${next.errors.length} problem(s)\n${issueLines(next.errors).join('\n')}`, { field: 'file' });
        let current = null;
        try {
          const record = await backend.catalogShow(parseWhole(flags.version, 'version'));
          const parsed = parseCatalog(record.source, record.format);
          current = parsed.ok ? parsed.catalog : null;
        } catch (error) {
          if (!(error instanceof TesseraError && error.code === 'NOT_FOUND' && flags.version === undefined)) throw error;
        }
        const diff = diffCatalogs(current, next.catalog);
        print(io, !!flags.json, diff, (d) =>
          d.same
            ? ['no changes']
            : [...diffLines('scope', d.scopes), ...diffLines('resource', d.resources), ...diffLines('template', d.templates), ...diffLines('endpoint', d.endpoints)],
        );
      }),
    );
}
