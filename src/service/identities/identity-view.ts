/** The public shape of an identity: what the API returns, the CLI prints and audit records. */
import type { IdentityRecord } from '../../core/usage-limits.js';
import { toLimitViews, type RateLimitView } from '../limits/limit-view.js';
import { toCreditsView, type CreditsView } from '../limits/credit-view.js';

export interface IdentityView {
  id: string;
  externalId: string;
  name: string | null;
  metadata: Record<string, unknown>;
  limits: RateLimitView[];
  credits: CreditsView | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export function toIdentityView(identity: IdentityRecord, nowMs: number): IdentityView {
  return {
    id: identity.id,
    externalId: identity.externalId,
    name: identity.name,
    metadata: identity.metadata,
    limits: toLimitViews(identity.limits),
    credits: toCreditsView(identity.credits, nowMs),
    createdAt: identity.createdAt,
    updatedAt: identity.updatedAt,
    version: identity.version,
  };
}
