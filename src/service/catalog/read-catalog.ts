/** Reading an account's catalog: a version, the list of versions, and the advanced tree with a selection. */
import { catalogTree, type TreeService } from '../../core/catalog/index.js';
import { catalogResourceTypes, type TreeResourceType } from '../../core/catalog/catalog-tree.js';
import { notFound } from '../../core/errors.js';
import type { CatalogVersionRecord, Page } from '../../store/store.js';
import { requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { checkPageSize } from '../tokens/read-tokens.js';
import { loadToken } from '../tokens/token-guards.js';

export async function getCatalog(ctx: ServiceContext, actor: Actor, version?: number): Promise<CatalogVersionRecord> {
  requirePermission(actor, 'catalog:read');
  const record = await ctx.store.getCatalogVersion(actor.accountId, version);
  if (!record) throw notFound(version === undefined ? 'catalog (none applied yet)' : `catalog version ${version}`);
  return record;
}

export async function listCatalogVersions(
  ctx: ServiceContext,
  actor: Actor,
  input: { limit?: number; cursor?: string },
): Promise<Page<Omit<CatalogVersionRecord, 'source'>>> {
  requirePermission(actor, 'catalog:read');
  return ctx.store.listCatalogVersions({
    accountId: actor.accountId,
    limit: checkPageSize(input.limit),
    ...(input.cursor ? { cursor: input.cursor } : {}),
  });
}

/** The advanced tree with the leaves a token, or a set of scopes and templates, selects; the permission sets and resource types. */
export async function getCatalogTree(
  ctx: ServiceContext,
  actor: Actor,
  selection: { tokenId?: string; scopes?: string[]; templates?: string[] },
): Promise<{
  version: number | null;
  services: TreeService[];
  templates: { id: string; name: string; description?: string; scopes: string[] }[];
  resources: TreeResourceType[];
}> {
  requirePermission(actor, 'catalog:read');
  const { catalog, version } = await ctx.catalogs.get(actor.accountId);
  let scopes = selection.scopes ?? [];
  let templates = selection.templates ?? [];
  if (selection.tokenId) {
    requirePermission(actor, 'tokens:read');
    const token = await loadToken(ctx.store, actor, selection.tokenId);
    scopes = [...scopes, ...token.scopes];
    templates = [...templates, ...token.templates];
  }
  return {
    version: version?.version ?? null,
    services: catalogTree(catalog, { scopes, templates }),
    templates: (catalog.document.templates ?? []).map((t) => ({ id: t.id, name: t.name, ...(t.description ? { description: t.description } : {}), scopes: [...t.scopes] })),
    resources: catalogResourceTypes(catalog),
  };
}
