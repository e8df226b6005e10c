/** Tessera's own management permissions: what protects `/v1/*`, and what catalog includes may name. */
import { overlaps, parseScopePattern, type ScopePattern } from './scope-pattern.js';

const scope = (name: string, description: string): { scope: string; description: string } => ({ scope: name, description });

export const builtinScopes = [
  scope('tokens:create', 'Create tokens with permissions within the creator\'s own.'),
  scope('tokens:read', 'List and show tokens (never their secrets).'),
  scope('tokens:update', 'Edit, enable, disable and rotate tokens.'),
  scope('tokens:revoke', 'Revoke tokens; final, and cascades to tokens they issued.'),
  scope('tokens:delete', 'Delete token records, one or in bulk.'),
  scope('tokens:verify', 'Call the verify endpoint when the account requires it.'),
  scope('tokens:introspect', 'OAuth 2.0 introspection and revocation as a client.'),
  scope('tokens:issue', 'Issue short-lived signed tokens for a narrower scope string.'),
  scope('catalog:read', 'Read the account\'s catalog and its versions.'),
  scope('catalog:write', 'Replace the account\'s catalog.'),
  scope('audit:read', 'Read the audit log.'),
  scope('usage:read', 'Read usage events and roll-ups.'),
  scope('usage:endpoints:read', 'Read the usage of the catalog\'s token-authenticated endpoints, one endpoint per query (the integration platform\'s endpoint data viewer).'),
  scope('endpoints:manage', 'Manage primary and secondary endpoint tokens.'),
  scope('identities:read', 'List and show identities (the users or customers tokens belong to) and their limits.'),
  scope('identities:write', 'Create, edit and delete identities and their shared rate limits.'),
  scope('account:manage', 'Change account policy and rotate signing keys.'),
  scope('account:webhooks:read', 'List webhook endpoints and their delivery logs (never their signing secrets).'),
  scope('account:webhooks:write', 'Create, edit, delete webhook endpoints, rotate their secrets and redeliver events.'),
  scope('leaks:report', 'Report leaked secrets (POST /v1/leaks): each live one is disabled or revoked, whatever its account.'),
] as const;

const patterns: ScopePattern[] = builtinScopes.map((s) => parseScopePattern(s.scope)!);

/** Whether a pattern names some built-in permission (`tokens:*`, `usage:read`): a catalog include may grant them. */
export function namesBuiltin(pattern: ScopePattern): boolean {
  return pattern[0] !== '*' && patterns.some((p) => overlaps(pattern, p));
}
