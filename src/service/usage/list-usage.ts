/** Reading usage: per-bucket counts for an endpoint data viewer (the integration platform), and the raw events behind them. */
import { TesseraError, badRequest } from '../../core/errors.js';
import { integrationEndpoints } from '../../core/catalog/index.js';
import type { Page, UsageBucket, UsageBucketSize, UsageEventRecord, UsageFilter } from '../../store/store.js';
import { holdsPermission, requirePermission, type Actor } from '../actor.js';
import type { ServiceContext } from '../context.js';
import { checkPageSize } from '../tokens/read-tokens.js';
import { checkTimestamp } from '../tokens/token-input.js';

export interface UsageQueryInput {
  tokenId?: string;
  endpoint?: string;
  outcome?: string;
  refusedBy?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export const usageBucketSizes = ['minute', 'hour', 'day'] as const satisfies readonly UsageBucketSize[];

/** Buckets are small rows: a chart of a day by minute (1,440 points) fits one page. */
export const MAX_BUCKET_PAGE = 2000;

function filterOf(actor: Actor, input: UsageQueryInput, limit: number): UsageFilter {
  const from = checkTimestamp(input.from, 'from');
  const to = checkTimestamp(input.to, 'to');
  if (from && to && from > to) throw badRequest('from', 'must not be after to');
  return {
    accountId: actor.accountId,
    ...(input.tokenId ? { tokenId: input.tokenId } : {}),
    ...(input.endpoint ? { endpoint: input.endpoint } : {}),
    ...(input.outcome ? { outcome: input.outcome } : {}),
    ...(input.refusedBy ? { refusedBy: input.refusedBy } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    limit,
    ...(input.cursor ? { cursor: input.cursor } : {}),
  };
}

/** The data viewer's permission (the integration platform): the usage of token-authenticated endpoints only, one per query. */
export const ENDPOINT_USAGE_PERMISSION = 'usage:endpoints:read';

/**
 * `usage:read` reads everything; `usage:endpoints:read` (which a catalog scope such as `data-viewer:read` may
 * include) only queries filtered on one of the catalog's `auth: token` routes. `concrete`: the events' endpoint
 * filter is a call (`DELETE /api/endpoints/orders/r1`), matched to its catalog route.
 */
async function requireUsageReader(ctx: ServiceContext, actor: Actor, endpoint: string | undefined, concrete: boolean): Promise<void> {
  if (holdsPermission(actor, 'usage:read') || !holdsPermission(actor, ENDPOINT_USAGE_PERMISSION)) {
    requirePermission(actor, 'usage:read');
    return;
  }
  const { catalog } = await ctx.catalogs.get(actor.accountId);
  const routes = new Set([...integrationEndpoints(catalog).values()].flatMap((e) => e.routes));
  let route = endpoint;
  if (concrete && endpoint !== undefined) {
    const [method = '', path = ''] = endpoint.split(' ', 2);
    const match = catalog.matchEndpoint(method, path);
    route = match ? `${match.endpoint.method} ${match.endpoint.path}` : undefined;
  }
  if (route !== undefined && routes.has(route)) return;
  throw new TesseraError('FORBIDDEN', `endpoint: ${ENDPOINT_USAGE_PERMISSION} reads the usage of token-authenticated endpoints only: filter on one of ${[...routes].join(', ') || '(none in the catalog)'}`, {
    field: 'endpoint',
    requiredScopes: ['usage:read'],
  });
}

export async function listUsage(
  ctx: ServiceContext,
  actor: Actor,
  input: UsageQueryInput & { bucket?: string },
): Promise<Page<UsageBucket>> {
  await requireUsageReader(ctx, actor, input.endpoint, false);
  const bucket = input.bucket ?? 'hour';
  if (!(usageBucketSizes as readonly string[]).includes(bucket)) {
    throw badRequest('bucket', `must be one of ${usageBucketSizes.join(', ')}`);
  }
  const limit = input.limit ?? 500;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BUCKET_PAGE) throw badRequest('limit', `must be from 1 to ${MAX_BUCKET_PAGE}`);
  return ctx.store.listUsageBuckets({ ...filterOf(actor, input, limit), bucket: bucket as UsageBucketSize });
}

export async function listUsageEvents(ctx: ServiceContext, actor: Actor, input: UsageQueryInput): Promise<Page<UsageEventRecord>> {
  await requireUsageReader(ctx, actor, input.endpoint, true);
  return ctx.store.listUsageEvents(filterOf(actor, input, checkPageSize(input.limit)));
}
