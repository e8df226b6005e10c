/** What every CLI command talks to: the same use cases and JSON shapes, locally on a database file or over HTTP. */
import type { AuditChainCheck } from '../core/audit-chain.js';
import type { AccountPolicy, AccountRecord, AuditEvent } from '../core/types.js';
import type { toVerifyResponse } from '../http/routes/verify-route.js';
import type { AssignmentInput, CatalogInput, CatalogValidation, CreateEndpointTokenInput, CreateTokenInput, CreatedToken, DeleteReport, EndpointAuthView, EndpointTokenView, LeakCheck, ListAuditInput, ListTokensInput, RevokeResult, SetEndpointAuthInput, SetEndpointAuthResult, TokenView, UpdateTokenInput } from '../service/index.js';
import type { CatalogVersionRecord, Page, TokenStatusFilter } from '../store/store.js';
import type { CreateIdentityInput, DeletedIdentity, IdentityView, ListIdentitiesInput, UpdateIdentityInput } from '../service/index.js';
import type { CreateWebhookInput, UpdateWebhookInput, WebhookDeliveryView, WebhookEndpointView, WebhookWithSecret } from '../service/index.js';
import type { CreditsHolder, CreditsView, LimitStateView, SetCreditsInput } from '../service/index.js';

export type VerifyResponse = ReturnType<typeof toVerifyResponse>;
export type RotatedToken = CreatedToken & { previousSecretExpiresAt: string };

export interface VerifyRequest {
  token: string;
  scopes: string[];
  ip?: string;
}

/** Results are exactly the HTTP API's response bodies, so `--json` prints the same in both modes. */
export interface Backend {
  create(input: CreateTokenInput): Promise<CreatedToken>;
  list(input: ListTokensInput): Promise<Page<TokenView>>;
  show(id: string): Promise<TokenView>;
  update(id: string, input: UpdateTokenInput): Promise<TokenView>;
  enable(id: string): Promise<TokenView>;
  disable(id: string): Promise<TokenView>;
  rotate(id: string, options: { overlapSeconds?: number }): Promise<RotatedToken>;
  revoke(id: string): Promise<RevokeResult>;
  delete(ids: string[]): Promise<DeleteReport>;
  verify(request: VerifyRequest): Promise<VerifyResponse>;
  /** The account the CLI acts for, with its policy (GET /v1/account). */
  accountShow(): Promise<AccountRecord>;
  /** Changes only the fields given (PATCH /v1/account/policy). */
  accountPolicySet(patch: Partial<AccountPolicy>): Promise<AccountRecord>;
  auditList(input: ListAuditInput): Promise<Page<AuditEvent>>;
  auditVerify(): Promise<AuditChainCheck>;
  /** The current catalog, or the given version; NOT_FOUND when none was applied. */
  catalogShow(version?: number): Promise<CatalogVersionRecord>;
  catalogValidate(input: CatalogInput): Promise<CatalogValidation>;
  catalogApply(input: CatalogInput & { force: boolean }): Promise<CatalogVersionRecord>;
  catalogVersions(): Promise<Page<Omit<CatalogVersionRecord, 'source'>>>;
  /** Integration platform: endpoint authentication and primary tokens. */
  endpointList(): Promise<{ items: EndpointAuthView[] }>;
  endpointAuthGet(id: string): Promise<EndpointAuthView>;
  endpointAuthSet(id: string, input: SetEndpointAuthInput): Promise<SetEndpointAuthResult>;
  endpointRegenerate(id: string, method: string, options: { overlapSeconds?: number }): Promise<RotatedToken & { method: string }>;
  endpointTokens(id: string, input: { assigned?: 'true' | 'false' | 'all'; status?: TokenStatusFilter; limit?: number; cursor?: string }): Promise<Page<EndpointTokenView>>;
  /** Integration platform: secondary endpoint tokens. */
  endpointTokenCreate(input: CreateEndpointTokenInput): Promise<{ token: EndpointTokenView; secret: string }>;
  endpointTokenList(input: { status?: TokenStatusFilter; limit?: number; cursor?: string }): Promise<Page<EndpointTokenView>>;
  endpointTokenShow(id: string): Promise<EndpointTokenView>;
  endpointTokenSetEnabled(id: string, enabled: boolean): Promise<EndpointTokenView>;
  endpointTokenAssign(id: string, assignments: AssignmentInput[]): Promise<EndpointTokenView>;
  /** Which token of the account each found secret is, and its status (POST /v1/leaks/check). */
  leakCheck(tokens: string[]): Promise<{ items: LeakCheck[] }>;
  /** Identities (docs/limits.md). */
  identityList(input: ListIdentitiesInput): Promise<Page<IdentityView>>;
  identityShow(id: string): Promise<IdentityView>;
  identityCreate(input: CreateIdentityInput): Promise<IdentityView>;
  identityUpdate(id: string, input: UpdateIdentityInput): Promise<IdentityView>;
  identityDelete(id: string): Promise<DeletedIdentity>;
  /** Webhook endpoints and their delivery logs (docs/webhooks.md). */
  webhookCreate(input: CreateWebhookInput): Promise<WebhookWithSecret>;
  webhookList(input: { limit?: number; cursor?: string }): Promise<Page<WebhookEndpointView>>;
  webhookShow(id: string): Promise<WebhookEndpointView>;
  webhookUpdate(id: string, input: UpdateWebhookInput): Promise<WebhookEndpointView>;
  webhookDelete(id: string): Promise<void>;
  webhookRotateSecret(id: string, options: { overlapSeconds?: number }): Promise<WebhookWithSecret>;
  webhookDeliveries(id: string, input: { limit?: number; cursor?: string }): Promise<Page<WebhookDeliveryView>>;
  webhookRedeliver(id: string, deliveryId: string): Promise<void>;
  /** Credits of a token or an identity (docs/limits.md). */
  creditsSet(holder: CreditsHolder, id: string, input: SetCreditsInput): Promise<CreditsView>;
  creditsAdd(holder: CreditsHolder, id: string, amount: number): Promise<CreditsView>;
  /** The current state of the rate limits a check of the token (or of the identity's tokens) consumes. */
  rateLimits(holder: CreditsHolder, id: string): Promise<{ ratelimits: LimitStateView[] }>;
  /** Releases the database (flushing usage counts) or does nothing for HTTP. */
  close(): Promise<void>;
}
