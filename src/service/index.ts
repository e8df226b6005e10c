/**
 * The service as the adapters see it (src/http, src/cli, src/runtime): the composition (`createTessera`) and the
 * types and rules they share. Adapters import the service from here only (eslint.config.js enforces it); the
 * feature folders behind it are the service's own business.
 */
export { createTessera, type Tessera, type TesseraOptions } from './tessera.js';
export { systemActor, type Actor } from './actor.js';

// Account: first start, policy.
export type { BootstrapResult } from './account/bootstrap.js';
export { MAX_DORMANT_DAYS, MAX_POLICY_LIFETIME_SECONDS } from './account/update-account-policy.js';

// Audit log.
export type { ListAuditInput } from './audit/list-audit.js';

// Catalog.
export type { CatalogInput, CatalogValidation } from './catalog/apply-catalog.js';
export { compileAccountCatalog } from './catalog/catalog-registry.js';

// Integration endpoints: their authentication, primary and secondary endpoint tokens.
export type { EndpointAuthView, SetEndpointAuthInput, SetEndpointAuthResult } from './integrations/endpoint-auth.js';
export type { AssignmentInput, CreateEndpointTokenInput, EndpointTokenView } from './integrations/endpoint-tokens.js';

// Signing keys of issued JWTs.
export type { RotatedKeys } from './keys/rotate-signing-key.js';
export { signingAlgs, type SigningAlg } from './keys/signing-keys.js';

// Tokens.
export type { CreatedToken, CreateTokenInput } from './tokens/create-token.js';
export type { DeleteReport } from './tokens/delete-tokens.js';
export type { ListTokensInput } from './tokens/read-tokens.js';
export type { RevokeResult } from './tokens/revoke-token.js';
export { checkScopes } from './tokens/token-input.js';
export type { TokenView } from './tokens/token-view.js';
export type { UpdateTokenInput } from './tokens/update-token.js';

// The check path: presented credentials, verify and forward-auth answers.
export type { PresentedCredential } from './verify/authenticate.js';
export { queryToken, type AuthorizeOutcome } from './verify/authorize-request.js';
export type { VerifyInput, VerifyResult } from './verify/check-token.js';

// Leak response: reports, the scanner's lookups, and the file and history scans of `tessera scan`.
export { derIdentifier, parseLeakReportKeys, type LeakReportKeys } from './leaks/leak-report-keys.js';
export type { LeakReporter } from './leaks/report-leaks.js';
export type { LeakCheck, LeakStatus } from './leaks/check-leaks.js';
export { DEFAULT_MAX_FILE_BYTES, scanFiles, type ScanResult, type SecretLocation } from './leaks/scan-files.js';
export { GitScanError, scanGitHistory } from './leaks/scan-git.js';

// Usage control (issue 19): identities, rate limits decided in memory.
export type { CreateIdentityInput } from './identities/create-identity.js';
export type { ListIdentitiesInput } from './identities/read-identities.js';
export type { DeletedIdentity, UpdateIdentityInput } from './identities/update-identity.js';
export type { IdentityView } from './identities/identity-view.js';
export type { CreditsView } from './limits/credit-view.js';
export type { CreditsHolder, SetCreditsInput } from './limits/change-credits.js';
export { LimitSlot, type LimitState } from './limits/rate-limiter.js';
export { toLimitStateView, type LimitStateView, type RateLimitView } from './limits/limit-view.js';
export type { IdentityRef } from './verify/check-token.js';

// Webhooks (issue 20): endpoints, deliveries, the sender's and scheduler's settings.
export { webhookEventTypes, type WebhookEventType } from '../core/webhooks.js';
export type { CreateWebhookInput, UpdateWebhookInput, WebhookWithSecret } from './webhooks/manage-webhooks.js';
export { DEFAULT_SECRET_OVERLAP_SECONDS, MAX_SECRET_OVERLAP_SECONDS } from './webhooks/manage-webhooks.js';
export type { WebhookDeliveryView, WebhookEndpointView } from './webhooks/webhook-view.js';
export type { WebhookSenderOptions } from './webhooks/webhook-sender.js';
export type { WebhookSchedulerOptions } from './webhooks/webhook-scheduler.js';
