/**
 * Secondary endpoint tokens (the integration platform): one per application, assigned to primaries (endpoint + method); their
 * scopes are their primaries', so switching one off, or unassigning it, cuts only that integration.
 */
import { emitEvent } from '../webhooks/emit-event.js';
import { TesseraError, badRequest, notFound } from '../../core/errors.js';
import type { TokenRecord } from '../../core/types.js';
import type { EndpointAssignment, Page, StoreOps, TokenStatusFilter } from '../../store/store.js';
import { requirePermission, type Actor } from '../actor.js';
import { getAccount } from '../account/get-account.js';
import { nowIso, type ServiceContext } from '../context.js';
import { ENDPOINTS_PERMISSION } from './endpoint-auth.js';
import { checkMethod, effectiveSettings, primaryMethods, requireEndpoint } from './endpoint-settings.js';
import { secondaryScopes } from './secondary-scopes.js';
import { insertSystemToken, newSystemToken } from './system-tokens.js';
import { checkPageSize } from '../tokens/read-tokens.js';
import { checkName, checkOptionalText, limits } from '../tokens/token-input.js';
import { loadToken, requireCanActOn, requireNotRevoked, requireWithinActor, requireWithinAncestors } from '../tokens/token-guards.js';
import { readAncestors } from '../tokens/token-chain.js';
import { auditSnapshot, toTokenView, type TokenView } from '../tokens/token-view.js';
import type { CompiledCatalog } from '../../core/catalog/index.js';

export interface AssignmentView {
  endpoint: string;
  method: string;
  /** Whether it grants anything now: the endpoint is in `token` mode and the method has a primary. */
  active: boolean;
}

export interface EndpointTokenView {
  token: TokenView;
  assignments: AssignmentView[];
}

export interface AssignmentInput {
  endpoint: string;
  method: string;
}

export interface CreateEndpointTokenInput {
  name: string;
  description?: string | null;
  enabled?: boolean;
  assignments?: AssignmentInput[];
}

const MAX_ASSIGNMENTS = 200;

export async function createEndpointToken(
  ctx: ServiceContext,
  actor: Actor,
  input: CreateEndpointTokenInput,
): Promise<{ token: EndpointTokenView; secret: string }> {
  requirePermission(actor, ENDPOINTS_PERMISSION);
  const account = await getAccount(ctx, actor);
  const { catalog } = await ctx.catalogs.get(actor.accountId);
  const nowMs = ctx.clock.now();
  const name = checkName(input.name);
  const description = checkOptionalText(input.description, 'description', limits.descriptionLength);
  const wanted = checkAssignments(catalog, input.assignments ?? []);
  const created = await ctx.store.transaction(async (tx) => {
    await requirePrimaries(tx, catalog, actor, wanted);
    const scopes = await secondaryScopes(tx, catalog, actor.accountId, wanted);
    requireWithinActor(catalog, actor, { scopes, deny: [] }, 'assignments');
    const made = newSystemToken(ctx, account, actor, {
      kind: 'secondary',
      name,
      description,
      enabled: input.enabled ?? true,
      scopes,
      metadata: {},
    }, nowMs);
    await insertSystemToken(tx, actor, made.token, made.secret, nowMs, { assignments: wanted });
    await tx.replaceAssignments(actor.accountId, made.token.id, wanted);
    return { ...made, view: await endpointTokenView(tx, catalog, made.token, nowMs) };
  });
  return { token: created.view, secret: created.secret };
}

export async function listEndpointTokens(
  ctx: ServiceContext,
  actor: Actor,
  input: { status?: TokenStatusFilter; limit?: number; cursor?: string },
): Promise<Page<EndpointTokenView>> {
  requirePermission(actor, ENDPOINTS_PERMISSION);
  return listSecondaries(ctx, actor, { status: input.status ?? 'active', limit: input.limit, cursor: input.cursor });
}

/** The endpoint's Tokens tab: secondaries assigned to it (`true`), not assigned (`false`, "hide unassigned" off), or all. */
export async function listTokensOfEndpoint(
  ctx: ServiceContext,
  actor: Actor,
  endpointId: string,
  input: { assigned?: 'true' | 'false' | 'all'; status?: TokenStatusFilter; limit?: number; cursor?: string },
): Promise<Page<EndpointTokenView>> {
  requirePermission(actor, ENDPOINTS_PERMISSION);
  const { catalog } = await ctx.catalogs.get(actor.accountId);
  requireEndpoint(catalog, endpointId);
  const assigned = input.assigned ?? 'true';
  if (!['true', 'false', 'all'].includes(assigned)) throw badRequest('assigned', 'must be true, false or all');
  return listSecondaries(ctx, actor, {
    status: input.status ?? 'all',
    limit: input.limit,
    cursor: input.cursor,
    ...(assigned === 'all' ? {} : { endpointId, assigned: assigned === 'true' }),
  });
}

export async function getEndpointToken(ctx: ServiceContext, actor: Actor, id: string): Promise<EndpointTokenView> {
  requirePermission(actor, ENDPOINTS_PERMISSION);
  const { catalog } = await ctx.catalogs.get(actor.accountId);
  return endpointTokenView(ctx.store, catalog, await loadSecondary(ctx.store, actor, id), ctx.clock.now());
}

export async function setEndpointTokenEnabled(ctx: ServiceContext, actor: Actor, id: string, enabled: boolean): Promise<EndpointTokenView> {
  return changeSecondary(ctx, actor, id, enabled ? 'token.enable' : 'token.disable', async (token) => ({ token: { ...token, enabled } }));
}

/** Replaces the secondary's assignments; its scopes follow. Allowed whatever `permissionsEditable` says: audited as `endpoint.assign`. */
export async function setAssignments(ctx: ServiceContext, actor: Actor, id: string, assignments: AssignmentInput[]): Promise<EndpointTokenView> {
  requirePermission(actor, ENDPOINTS_PERMISSION);
  const { catalog } = await ctx.catalogs.get(actor.accountId);
  const wanted = checkAssignments(catalog, assignments);
  return changeSecondary(ctx, actor, id, 'endpoint.assign', async (token, tx) => {
    await requirePrimaries(tx, catalog, actor, wanted);
    const before = await tx.listAssignments({ accountId: actor.accountId, tokenId: token.id });
    const scopes = await secondaryScopes(tx, catalog, actor.accountId, wanted);
    requireWithinActor(catalog, actor, { scopes, deny: [] }, 'assignments');
    // Nor beyond the token that made it: the check path would refuse the excess anyway (docs/security.md).
    requireWithinAncestors(catalog, await readAncestors(tx, token), { scopes, deny: [] }, 'assignments');
    await tx.replaceAssignments(actor.accountId, token.id, wanted);
    return {
      token: { ...token, scopes },
      audit: { before: before.map(({ endpointId, method }) => ({ endpointId, method })), after: wanted },
    };
  });
}

type SecondaryChange = (token: TokenRecord, tx: StoreOps) => Promise<{ token: TokenRecord; audit?: { before: unknown; after: unknown } }>;

async function changeSecondary(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  action: 'token.enable' | 'token.disable' | 'endpoint.assign',
  apply: SecondaryChange,
): Promise<EndpointTokenView> {
  requirePermission(actor, ENDPOINTS_PERMISSION);
  const { catalog } = await ctx.catalogs.get(actor.accountId);
  const nowMs = ctx.clock.now();
  const now = nowIso(ctx);
  const result = await ctx.store.transaction(async (tx) => {
    const token = await loadSecondary(tx, actor, id);
    requireNotRevoked(token);
    requireCanActOn(catalog, actor, token);
    const changed = await apply(token, tx);
    const next: TokenRecord = { ...changed.token, updatedAt: now, version: token.version + 1 };
    await tx.updateToken(next);
    await tx.appendAudit({
      accountId: actor.accountId,
      actor: actor.tokenId,
      action,
      targetType: 'token',
      targetId: token.id,
      before: { ...auditSnapshot(token, nowMs), ...(changed.audit ? { assignments: changed.audit.before } : {}) },
      after: { ...auditSnapshot(next, nowMs), ...(changed.audit ? { assignments: changed.audit.after } : {}) },
      at: now,
    });
    // Assignments change the secondary's permissions: a token.updated event, as any edit of a token.
    const type = action === 'token.enable' ? 'token.enabled' : action === 'token.disable' ? 'token.disabled' : 'token.updated';
    await emitEvent(tx, actor.accountId, type, { token: auditSnapshot(next, nowMs), actor: actor.tokenId }, now);
    return { next, view: await endpointTokenView(tx, catalog, next, nowMs) };
  });
  return result.view;
}

async function loadSecondary(tx: Pick<StoreOps, 'getToken'>, actor: Actor, id: string): Promise<TokenRecord> {
  const token = await loadToken(tx, actor, id);
  if (token.kind !== 'secondary') throw notFound(`endpoint token ${id}`);
  return token;
}

async function listSecondaries(
  ctx: ServiceContext,
  actor: Actor,
  q: { status: TokenStatusFilter; limit: number | undefined; cursor: string | undefined; endpointId?: string; assigned?: boolean },
): Promise<Page<EndpointTokenView>> {
  if (!['active', 'inactive', 'all'].includes(q.status)) throw badRequest('status', 'must be active, inactive or all');
  const { catalog } = await ctx.catalogs.get(actor.accountId);
  const nowMs = ctx.clock.now();
  const page = await ctx.store.listSecondaries({
    accountId: actor.accountId,
    status: q.status,
    now: nowIso(ctx),
    limit: checkPageSize(q.limit),
    ...(q.cursor ? { cursor: q.cursor } : {}),
    ...(q.endpointId !== undefined && q.assigned !== undefined ? { endpointId: q.endpointId, assigned: q.assigned } : {}),
  });
  const items: EndpointTokenView[] = [];
  for (const token of page.items) items.push(await endpointTokenView(ctx.store, catalog, token, nowMs));
  return { items, nextCursor: page.nextCursor };
}

async function endpointTokenView(
  store: Pick<StoreOps, 'listAssignments' | 'getEndpointSettings'>,
  catalog: CompiledCatalog,
  token: TokenRecord,
  nowMs: number,
): Promise<EndpointTokenView> {
  const assignments: AssignmentView[] = [];
  for (const a of await store.listAssignments({ accountId: token.accountId, tokenId: token.id })) {
    const active = (await secondaryScopes(store, catalog, token.accountId, [a])).length > 0;
    assignments.push({ endpoint: a.endpointId, method: a.method, active });
  }
  return { token: toTokenView(token, nowMs), assignments };
}

function checkAssignments(catalog: CompiledCatalog, input: readonly AssignmentInput[]): EndpointAssignment[] {
  if (!Array.isArray(input)) throw badRequest('assignments', 'must be a list of {endpoint, method}');
  if (input.length > MAX_ASSIGNMENTS) throw badRequest('assignments', `at most ${MAX_ASSIGNMENTS}`);
  const out = new Map<string, EndpointAssignment>();
  input.forEach((a, i) => {
    requireEndpoint(catalog, a.endpoint, `assignments[${i}].endpoint`);
    const method = checkMethod(a.method, `assignments[${i}].method`);
    out.set(`${a.endpoint} ${method}`, { endpointId: a.endpoint, method });
  });
  return [...out.values()];
}

/** A secondary can only be mapped to a primary: the endpoint is in `token` mode and the method has one (generated or due). */
async function requirePrimaries(
  tx: Pick<StoreOps, 'getEndpointSettings'>,
  catalog: CompiledCatalog,
  actor: Actor,
  wanted: readonly EndpointAssignment[],
): Promise<void> {
  for (const [i, a] of wanted.entries()) {
    const settings = await effectiveSettings(tx, catalog, actor.accountId, a.endpointId);
    if (settings?.mode === 'internal') {
      throw new TesseraError('CONFLICT', `assignments[${i}]: endpoint ${a.endpointId} is internal: only its primary tokens are accepted`, { field: `assignments[${i}]` });
    }
    if (settings?.mode !== 'token' || !primaryMethods(settings).includes(a.method as never)) {
      throw new TesseraError('CONFLICT', `assignments[${i}]: endpoint ${a.endpointId} has no ${a.method} primary token (turn token authentication on${a.method === 'DELETE' ? ' and allow deleting' : ''} first)`, { field: `assignments[${i}]` });
    }
  }
}
