/** @tessera/sdk: the typed Tessera client, its one exception type, and token verification helpers. */
export { createTesseraClient, type TesseraClient, type TesseraClientOptions, type paths, type components, type operations } from './client.js';
export { TesseraApiError, isEnvelope, type TesseraErrorCode, type TesseraErrorEnvelope } from './api-error.js';
export { createVerifier, type TesseraVerifier, type VerifierOptions } from './verifier.js';
export type { TraceHeaders } from './trace-context.js';
export type { RateLimitState, Requirement, TesseraIdentity, VerifyCode, VerifyOutcome } from './verify-types.js';
export { scopeCovers, missingScopes } from './scope-match.js';
export { presentedToken, type Presented, type PresentationInput, type PresentationOptions } from './presented-token.js';
export type { Denial, GuardOptions } from './guard.js';
