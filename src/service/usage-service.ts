/** Reading usage: per-bucket counts for an endpoint data viewer (seed 004), and the raw events behind them. */
import { badRequest } from '../core/errors.js';
import type { Page, UsageBucket, UsageBucketSize, UsageEventRecord, UsageFilter } from '../store/store.js';
import { requirePermission, type Actor } from './actor.js';
import type { ServiceContext } from './context.js';
import { checkPageSize } from './read-tokens.js';
import { checkTimestamp } from './token-input.js';

export interface UsageQueryInput {
  tokenId?: string;
  endpoint?: string;
  outcome?: string;
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
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    limit,
    ...(input.cursor ? { cursor: input.cursor } : {}),
  };
}

export async function listUsage(
  ctx: ServiceContext,
  actor: Actor,
  input: UsageQueryInput & { bucket?: string },
): Promise<Page<UsageBucket>> {
  requirePermission(actor, 'usage:read');
  const bucket = input.bucket ?? 'hour';
  if (!(usageBucketSizes as readonly string[]).includes(bucket)) {
    throw badRequest('bucket', `must be one of ${usageBucketSizes.join(', ')}`);
  }
  const limit = input.limit ?? 500;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BUCKET_PAGE) throw badRequest('limit', `must be from 1 to ${MAX_BUCKET_PAGE}`);
  return ctx.store.listUsageBuckets({ ...filterOf(actor, input, limit), bucket: bucket as UsageBucketSize });
}

export async function listUsageEvents(ctx: ServiceContext, actor: Actor, input: UsageQueryInput): Promise<Page<UsageEventRecord>> {
  requirePermission(actor, 'usage:read');
  return ctx.store.listUsageEvents(filterOf(actor, input, checkPageSize(input.limit)));
}
