/** Readable forms of tokens: a table row for lists, `key: value` lines for one. */
import type { TokenView } from '../service/index.js';
import { keyValues, orDash, table, truncate } from './output.js';

export function tokenLines(token: TokenView): string[] {
  return keyValues([
    ['id', token.id],
    ['name', token.name],
    ['status', token.status],
    ['hint', token.hint],
    ['description', orDash(token.description)],
    ['profile id', orDash(token.profileId)],
    ['scopes', orDash(token.scopes.join(' '))],
    ['deny', orDash(token.deny.join(' '))],
    ['allowed ips', orDash(token.allowedIps.join(' '))],
    ['valid from', orDash(token.validFrom)],
    ['expires at', orDash(token.expiresAt)],
    ['revoked at', orDash(token.revokedAt)],
    ['last used', orDash(token.lastUsedAt)],
    ['use count', String(token.useCount)],
    ['created at', token.createdAt],
    ['created by', orDash(token.createdBy)],
    ['metadata', Object.keys(token.metadata).length > 0 ? JSON.stringify(token.metadata) : '-'],
    ['version', String(token.version)],
  ]);
}

export function tokenTable(tokens: TokenView[]): string[] {
  return table(
    ['ID', 'NAME', 'STATUS', 'HINT', 'SCOPES', 'EXPIRES', 'LAST USED'],
    tokens.map((t) => [
      t.id,
      truncate(t.name, 30),
      t.status,
      t.hint,
      truncate(t.scopes.join(' '), 40),
      orDash(t.expiresAt),
      orDash(t.lastUsedAt),
    ]),
  );
}
