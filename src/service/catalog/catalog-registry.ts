/**
 * An account's effective catalog: its own (latest version) merged with Tessera's built-in management
 * permissions, or the built-in catalog alone while the account has none. Compiled once, kept in memory.
 */
import {
  builtinCatalog,
  builtinCatalogDocument,
  compileCatalog,
  parseCatalog,
  type CatalogDocument,
  type CatalogIssue,
  type CatalogResult,
  type CompiledCatalog,
} from '../../core/catalog/index.js';
import type { AccountId } from '../../core/types.js';
import type { CatalogVersionRecord, Store } from '../../store/store.js';

const reservedPrefixes = [...new Set(builtinCatalogDocument.scopes.map((s) => `${s.scope.split(':')[0]}:`))];

/** Parses and compiles an operator's catalog together with the built-in permissions it must not redefine. */
export function compileAccountCatalog(text: string, format: 'yaml' | 'json'): CatalogResult<CompiledCatalog> {
  const parsed = parseCatalog(text, format);
  if (!parsed.ok) return parsed;
  const reserved: CatalogIssue[] = (parsed.catalog.scopes ?? []).flatMap((s, i) =>
    reservedPrefixes.some((prefix) => s.scope.startsWith(prefix))
      ? [{ path: `scopes[${i}].scope`, line: parsed.locate(`scopes[${i}].scope`), message: `"${s.scope}" is reserved for Tessera's own permissions (${reservedPrefixes.join(', ')})` }]
      : [],
  );
  if (reserved.length > 0) return { ok: false, errors: reserved };
  const builtin = structuredClone(builtinCatalogDocument) as unknown as CatalogDocument;
  const merged: CatalogDocument = {
    ...parsed.catalog,
    // The operator's entries come first, so issue paths and lines point into the operator's file.
    services: [...(parsed.catalog.services ?? []), ...(builtin.services ?? [])],
    scopes: [...(parsed.catalog.scopes ?? []), ...(builtin.scopes ?? [])],
  };
  return compileCatalog(merged, { locate: parsed.locate });
}

export interface EffectiveCatalog {
  catalog: CompiledCatalog;
  /** The account's catalog version, or `null` when only the built-in permissions apply. */
  version: CatalogVersionRecord | null;
}

export class CatalogRegistry {
  private readonly byAccount = new Map<string, EffectiveCatalog>();
  /**
   * Counts invalidations: a load that began before one may have read the version it replaced, so it answers its
   * caller but is not kept (else a change heard while the read was in flight would be undone until the next).
   */
  private generation = 0;

  constructor(private readonly store: Pick<Store, 'getCatalogVersion'>) {}

  /** Synchronous look-up for the verify hot path; `undefined` when not loaded yet. */
  peek(accountId: AccountId): EffectiveCatalog | undefined {
    return this.byAccount.get(accountId);
  }

  async get(accountId: AccountId): Promise<EffectiveCatalog> {
    const cached = this.byAccount.get(accountId);
    if (cached) return cached;
    const started = this.generation;
    const version = (await this.store.getCatalogVersion(accountId)) ?? null;
    let effective: EffectiveCatalog = { catalog: builtinCatalog(), version: null };
    if (version) {
      const compiled = compileAccountCatalog(version.source, version.format);
      // A stored version compiled when it was applied; if it no longer does, fail closed to built-ins only.
      if (compiled.ok) effective = { catalog: compiled.catalog, version };
    }
    if (this.generation === started) this.byAccount.set(accountId, effective);
    return effective;
  }

  invalidate(accountId: AccountId): void {
    this.generation += 1;
    this.byAccount.delete(accountId);
  }

  /** Drops every compiled catalog (the change feed may have missed a catalog change). */
  clear(): void {
    this.generation += 1;
    this.byAccount.clear();
  }
}
