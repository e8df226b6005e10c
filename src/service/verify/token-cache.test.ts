import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AccountId, Scope, SecretHash, TokenId, TokenRecord, TokenSecretRecord } from '../../core/types.js';
import { TokenCache } from './token-cache.js';

const accountId = 'acc_cache' as AccountId;

function token(id: string): TokenRecord {
  return {
    id: id as TokenId, accountId, kind: 'standard', name: id, description: null, profileId: null, scopes: ['a:read' as Scope], deny: [],
    templates: [], hint: 'tsr_abcd…wxyz', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
    validFrom: null, expiresAt: null, allowedIps: [], enabled: true, revokedAt: null, lastUsedAt: null, useCount: 0,
    createdBy: null, parentId: null, metadata: {}, identityId: null, limits: [], credits: null, version: 1, instance: `inst_${id}`,
  };
}

function secret(hash: string, tokenId: string): TokenSecretRecord {
  return { hash: hash as SecretHash, tokenId: tokenId as TokenId, accountId, createdAt: '2026-01-01T00:00:00.000Z', expiresAt: null };
}

describe('TokenCache', () => {
  it('serves an entry until its time to live has passed on the clock it is given', () => {
    const cache = new TokenCache({ ttlMs: 1000, ttlSpread: 0, negativeTtlMs: 100 });
    cache.setFound(secret('h1', 't1'), token('t1'), 5_000, [], cache.readMark);
    expect(cache.get('h1', 5_999)?.token.id).toBe('t1');
    expect(cache.get('h1', 6_000)).toBeUndefined();
    cache.setMissing('h2', 5_000, cache.readMark);
    expect(cache.get('h2', 5_099)).toBeNull();
    expect(cache.get('h2', 5_100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('spreads positive entries over the last part of their time to live by hash, so that a burst does not expire together', () => {
    const cache = new TokenCache({ ttlMs: 60_000, ttlSpread: 0.5 });
    const hashes = Array.from({ length: 400 }, (_, n) => createHash('sha256').update(`secret ${n}`).digest('hex'));
    for (const [n, hash] of hashes.entries()) cache.setFound(secret(hash, `t${n}`), token(`t${n}`), 0, [], cache.readMark);
    const lifetimes = hashes.map((hash) => cache.get(hash, 0)!.untilMs);
    expect(Math.min(...lifetimes)).toBeGreaterThanOrEqual(30_000);
    expect(Math.max(...lifetimes)).toBeLessThanOrEqual(60_000);
    // Spread, not bunched: every tenth of the range holds some of the 400 (each about 40).
    const tenths = new Set(lifetimes.map((ms) => Math.floor((ms - 30_000) / 3_000)));
    expect(tenths.size).toBe(10);
    // Each entry is served until its own end, then read again.
    const [first] = hashes;
    const end = cache.get(first!, 0)!.untilMs;
    expect(cache.get(first!, end - 1)).toBeDefined();
    expect(cache.get(first!, end)).toBeUndefined();
  });

  it('keeps at most max entries, dropping those unused for a whole generation first', () => {
    const cache = new TokenCache({ max: 4 });
    for (const n of [1, 2]) cache.setFound(secret(`h${n}`, `t${n}`), token(`t${n}`), 0, [], cache.readMark);
    // h1 is used while h2 is not: when the generations turn over, h2 goes and h1 stays.
    expect(cache.get('h1', 1)).toBeDefined();
    cache.setFound(secret('h3', 't3'), token('t3'), 0, [], cache.readMark);
    expect(cache.get('h2', 1)).toBeUndefined();
    expect(cache.get('h1', 1)?.token.id).toBe('t1');
    expect(cache.get('h3', 1)?.token.id).toBe('t3');
    for (let n = 6; n < 200; n++) cache.setFound(secret(`h${n}`, `t${n}`), token(`t${n}`), 0, [], cache.readMark);
    expect(cache.size).toBeLessThanOrEqual(4);
  });

  it('drops every secret of a token when the token changes, wherever its entries live', () => {
    const cache = new TokenCache({ max: 4 });
    cache.setFound(secret('old', 't1'), token('t1'), 0, [], cache.readMark);
    cache.setFound(secret('x', 't2'), token('t2'), 0, [], cache.readMark);
    cache.setFound(secret('new', 't1'), token('t1'), 0, [], cache.readMark);
    cache.invalidateToken(accountId, 't1');
    expect(cache.get('old', 1)).toBeUndefined();
    expect(cache.get('new', 1)).toBeUndefined();
    expect(cache.get('x', 1)?.token.id).toBe('t2');
  });

  it('forgets an unknown hash when a secret is created with it, and only then', () => {
    const cache = new TokenCache();
    cache.setMissing('h', 0, cache.readMark);
    cache.setFound(secret('found', 't1'), token('t1'), 0, [], cache.readMark);
    cache.forgetMissing('h' as SecretHash);
    cache.forgetMissing('found' as SecretHash);
    expect(cache.get('h', 1)).toBeUndefined();
    expect(cache.get('found', 1)?.token.id).toBe('t1');
  });

  it('keeps no read that a change overtook: neither a token nor an unknown hash', () => {
    const cache = new TokenCache();
    const beforeRevoke = cache.readMark;
    cache.invalidateToken(accountId, 't1');
    const entry = cache.setFound(secret('h1', 't1'), token('t1'), 0, [], beforeRevoke);
    expect(entry.token.id).toBe('t1');
    expect(cache.get('h1', 1)).toBeUndefined();

    const beforeCreate = cache.readMark;
    cache.forgetMissing('h2' as SecretHash);
    cache.setMissing('h2', 0, beforeCreate);
    expect(cache.get('h2', 1)).toBeUndefined();

    const beforeReset = cache.readMark;
    cache.clear();
    cache.setFound(secret('h3', 't3'), token('t3'), 0, [], beforeReset);
    expect(cache.size).toBe(0);
  });
});
