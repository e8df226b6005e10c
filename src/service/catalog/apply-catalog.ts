/** Validating and applying a new version of an account's catalog: refused when invalid, or when it would strand live tokens. */
import { emitEvent } from '../webhooks/emit-event.js';
import { createHash } from 'node:crypto';
import type { CatalogIssue, CompiledCatalog } from '../../core/catalog/index.js';
import { TesseraError, badRequest } from '../../core/errors.js';
import type { TokenRecord } from '../../core/types.js';
import { StoreConflictError, type CatalogVersionRecord } from '../../store/store.js';
import { BUILTIN_PERMISSIONS, holdsPermission, requirePermission, type Actor } from '../actor.js';
import { compileAccountCatalog } from './catalog-registry.js';
import { nowIso, type ServiceContext } from '../context.js';

export type CatalogFormat = 'yaml' | 'json';

export interface CatalogInput {
  source: string;
  format: CatalogFormat;
}

export interface TokenConflict {
  tokenId: string;
  name: string;
  issues: CatalogIssue[];
}

export interface CatalogValidation {
  valid: boolean;
  errors: CatalogIssue[];
  /** Live tokens holding permissions the new catalog would not know. */
  tokensWithUnknownPermissions: TokenConflict[];
}

export async function validateCatalog(ctx: ServiceContext, actor: Actor, input: CatalogInput): Promise<CatalogValidation> {
  requirePermission(actor, 'catalog:read');
  const compiled = compileAccountCatalog(input.source, input.format);
  if (!compiled.ok) return { valid: false, errors: compiled.errors, tokensWithUnknownPermissions: [] };
  const conflicts = await tokensUnknownTo(ctx, actor, (token) => [
    ...compiled.catalog.validateTokenScopes(token.scopes, 'scopes'),
    ...compiled.catalog.validateTokenScopes(token.deny, 'deny'),
  ]);
  return { valid: true, errors: [], tokensWithUnknownPermissions: conflicts };
}

/** Applies a new version. Refused (nothing changes) when invalid, or when live tokens would hold unknown permissions unless `force`. */
export async function applyCatalog(
  ctx: ServiceContext,
  actor: Actor,
  input: CatalogInput & { force?: boolean },
): Promise<CatalogVersionRecord> {
  requirePermission(actor, 'catalog:write');
  const validation = await validateCatalog(ctx, actor, input);
  if (!validation.valid) {
    const first = validation.errors[0]!;
    throw new TesseraError(
      'BAD_REQUEST',
      `source: ${first.line ? `line ${first.line}, ` : ''}${first.path || 'catalog'}: ${first.message}${validation.errors.length > 1 ? ` (and ${validation.errors.length - 1} more)` : ''}`,
      { field: 'source', details: { errors: validation.errors } },
    );
  }
  if (validation.tokensWithUnknownPermissions.length > 0 && !input.force) {
    const ids = validation.tokensWithUnknownPermissions.map((c) => c.tokenId);
    throw new TesseraError(
      'CONFLICT',
      `force: ${ids.length} live token(s) hold permissions this catalog does not declare (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}); fix the catalog or apply with force`,
      { field: 'force', details: { tokens: validation.tokensWithUnknownPermissions } },
    );
  }
  const compiled = compileAccountCatalog(input.source, input.format);
  if (!compiled.ok) throw new Error('catalog stopped compiling between validation and apply');
  requireBuiltinIncludesHeld(compiled.catalog, actor);
  const now = nowIso(ctx);
  const record = await ctx.store.transaction(async (tx) => {
    const previous = await tx.getCatalogVersion(actor.accountId);
    const next: CatalogVersionRecord = {
      accountId: actor.accountId,
      version: (previous?.version ?? 0) + 1,
      name: compiled.catalog.name,
      format: input.format,
      source: input.source,
      createdAt: now,
      createdBy: actor.tokenId,
    };
    await tx.insertCatalogVersion(next);
    await tx.appendAudit({
      accountId: actor.accountId,
      actor: actor.tokenId,
      action: 'catalog.apply',
      targetType: 'catalog',
      targetId: `${actor.accountId}#${next.version}`,
      before: previous ? summary(previous) : null,
      after: { ...summary(next), forced: Boolean(input.force && validation.tokensWithUnknownPermissions.length > 0) },
      at: now,
    });
    await emitEvent(tx, actor.accountId, 'catalog.applied', { catalog: summary(next), actor: actor.tokenId }, now);
    return next;
  }).catch((error: unknown) => {
    // Two applies at the same moment (another instance, on PostgreSQL) both took the next version: one wins.
    if (error instanceof StoreConflictError) {
      throw new TesseraError('CONFLICT', 'source: another catalog was applied at the same moment; read the current one and apply again', { field: 'source' });
    }
    throw error;
  });
  return record;
}

async function tokensUnknownTo(
  ctx: ServiceContext,
  actor: Actor,
  issuesOf: (token: TokenRecord) => CatalogIssue[],
): Promise<TokenConflict[]> {
  const conflicts: TokenConflict[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.store.listTokens({ accountId: actor.accountId, status: 'all', now: nowIso(ctx), limit: 200, ...(cursor ? { cursor } : {}) });
    for (const token of page.items) {
      if (token.revokedAt !== null) continue;
      const issues = issuesOf(token);
      if (issues.length > 0) conflicts.push({ tokenId: token.id, name: token.name, issues });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return conflicts;
}

/**
 * No escalation through the catalog: a scope that includes Tessera's own permissions hands them to its holders,
 * so only a token holding them may write such an include (else `catalog:write` alone would be `*`).
 */
function requireBuiltinIncludesHeld(catalog: CompiledCatalog, actor: Actor): void {
  for (const include of catalog.builtinIncludes(BUILTIN_PERMISSIONS)) {
    const missing = include.grants.find((name) => !holdsPermission(actor, name));
    if (missing === undefined) continue;
    throw new TesseraError('FORBIDDEN', `source: ${include.path} ("${include.include}") grants Tessera's ${missing}, which this token does not hold`, {
      field: 'source',
      requiredScopes: [missing],
    });
  }
}

function summary(record: CatalogVersionRecord) {
  return { version: record.version, name: record.name, format: record.format, sha256: createHash('sha256').update(record.source).digest('hex') };
}

export function checkCatalogFormat(format: string | undefined, field = 'format'): CatalogFormat {
  if (format === undefined || format === 'yaml' || format === 'json') return format ?? 'yaml';
  throw badRequest(field, 'must be yaml or json');
}
