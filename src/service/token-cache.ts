/** In-memory answers for the verify path: secret hash → token, with a negative cache for unknown hashes. */
import { LRUCache } from 'lru-cache';
import type { CompiledCatalog, PermissionSet } from '../core/catalog/index.js';
import { parseIpAllowlist, type IpAllowlist } from '../core/ip-allowlist.js';
import type { SecretHash, TokenId, TokenRecord, TokenSecretRecord } from '../core/types.js';
import type { UsageSlot } from './usage-recorder.js';

export interface CachedToken extends UsageSlot {
  token: TokenRecord;
  ipAllowlist: IpAllowlist;
  /** End of a rotated-out secret's overlap, in epoch ms; `null` for the current secret. */
  secretExpiresAtMs: number | null;
  /** The token's own limits, parsed once (a timestamp that does not parse is `NaN`: it fails closed). */
  expiresAtMs: number | null;
  validFromMs: number | null;
  /** The answer for a check that passes without naming an endpoint, made once: the verify path allocates nothing. */
  valid: { readonly valid: true; readonly code: 'VALID'; readonly token: TokenRecord };
  /** The token's permissions expanded for `preparedFor`, computed at its first scope check. */
  prepared?: PermissionSet;
  preparedFor?: CompiledCatalog;
}

type Entry = CachedToken | { missing: true };

export interface TokenCacheOptions {
  /** Most secrets kept in memory. */
  max: number;
  /** How long a positive entry may be served without a store read (ms); changes made here invalidate at once. */
  ttlMs: number;
  /** How long an unknown hash is remembered as unknown (ms). */
  negativeTtlMs: number;
}

export const defaultTokenCacheOptions: TokenCacheOptions = { max: 100_000, ttlMs: 60_000, negativeTtlMs: 10_000 };

export class TokenCache {
  private readonly entries: LRUCache<string, Entry>;
  /** token id → its cached secret hashes, so that a change to a token drops every way in to it. */
  private readonly hashesByToken = new Map<string, Set<string>>();
  private readonly options: TokenCacheOptions;

  constructor(options: Partial<TokenCacheOptions> = {}) {
    this.options = { ...defaultTokenCacheOptions, ...options };
    this.entries = new LRUCache<string, Entry>({
      max: this.options.max,
      ttl: this.options.ttlMs,
      dispose: (entry, hash) => {
        if ('missing' in entry) return;
        const key = tokenKey(entry.token);
        const set = this.hashesByToken.get(key);
        set?.delete(hash);
        if (set?.size === 0) this.hashesByToken.delete(key);
      },
    });
  }

  /** `undefined`: not cached; `null`: known not to exist; otherwise the token. */
  get(hash: SecretHash): CachedToken | null | undefined {
    const entry = this.entries.get(hash);
    if (entry === undefined) return undefined;
    return 'missing' in entry ? null : entry;
  }

  setFound(secret: TokenSecretRecord, token: TokenRecord): CachedToken {
    const parsed = parseIpAllowlist(token.allowedIps);
    // Stored lists were validated on the way in; an unparseable one (edited database) allows nothing.
    const ipAllowlist: IpAllowlist = parsed.ok ? parsed.allowlist : { entries: token.allowedIps, allows: () => false };
    const entry = cachedToken(token, ipAllowlist, secret.expiresAt === null ? null : Date.parse(secret.expiresAt));
    this.entries.set(secret.hash, entry);
    const key = tokenKey(token);
    let set = this.hashesByToken.get(key);
    if (!set) this.hashesByToken.set(key, (set = new Set()));
    set.add(secret.hash);
    return entry;
  }

  setMissing(hash: SecretHash): void {
    this.entries.set(hash, { missing: true }, { ttl: this.options.negativeTtlMs });
  }

  /** Drops every cached secret of the token (call after any change to it). */
  invalidateToken(accountId: string, tokenId: TokenId | string): void {
    const set = this.hashesByToken.get(`${accountId}\u0000${tokenId}`);
    if (!set) return;
    for (const hash of [...set]) this.entries.delete(hash);
  }

  /** Forgets that a hash was unknown (a secret was just created with it). */
  forgetMissing(hash: SecretHash): void {
    const entry = this.entries.peek(hash);
    if (entry && 'missing' in entry) this.entries.delete(hash);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** An entry for the verify path: the token with its limits parsed and its passing answer made once. */
export function cachedToken(token: TokenRecord, ipAllowlist: IpAllowlist, secretExpiresAtMs: number | null): CachedToken {
  return {
    token,
    ipAllowlist,
    secretExpiresAtMs,
    expiresAtMs: token.expiresAt === null ? null : Date.parse(token.expiresAt),
    validFromMs: token.validFrom === null ? null : Date.parse(token.validFrom),
    valid: Object.freeze({ valid: true, code: 'VALID', token } as const),
    usage: undefined,
  };
}

function tokenKey(token: Pick<TokenRecord, 'accountId' | 'id'>): string {
  return `${token.accountId}\u0000${token.id}`;
}
