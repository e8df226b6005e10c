/** In-memory answers for the verify path: secret hash → token, with a negative cache for unknown hashes. */
import type { CompiledCatalog, PermissionSet } from '../core/catalog/index.js';
import { parseIpAllowlist, type IpAllowlist } from '../core/ip-allowlist.js';
import type { SecretHash, TokenId, TokenRecord, TokenSecretRecord } from '../core/types.js';
import type { EndpointVerdicts } from './endpoint-verdicts.js';
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
  /** Served from the cache until then (epoch ms); `Infinity` for an entry the cache does not hold. */
  untilMs: number;
  /** The token's permissions expanded for `preparedFor`, computed at its first scope check. */
  prepared?: PermissionSet;
  preparedFor?: CompiledCatalog;
  /** Recent endpoint checks and their answers (the verify path's results), for one catalog. */
  endpointVerdicts?: EndpointVerdicts<unknown>;
}

/** A hash known not to be a stored secret, until `untilMs`. */
interface Missing {
  token: null;
  untilMs: number;
}

type Entry = CachedToken | Missing;

export interface TokenCacheOptions {
  /** Most secrets kept in memory. */
  max: number;
  /** How long a positive entry may be served without a store read (ms); changes made here invalidate at once. */
  ttlMs: number;
  /** How long an unknown hash is remembered as unknown (ms). */
  negativeTtlMs: number;
}

export const defaultTokenCacheOptions: TokenCacheOptions = { max: 100_000, ttlMs: 60_000, negativeTtlMs: 10_000 };

/**
 * Two generations of plain Maps (see docs/decisions.md, "Token cache"): a hit in the young one is one Map
 * lookup; a hit in the old one moves the entry to the young one; when the young one holds half of `max`, it
 * becomes the old one and the old one's entries (not used for a whole generation) are dropped. Least recently
 * used entries go first, as in an LRU, without a linked list to update on every hit.
 */
export class TokenCache {
  private young = new Map<string, Entry>();
  private old = new Map<string, Entry>();
  /** token id → its cached secret hashes, so that a change to a token drops every way in to it. */
  private readonly hashesByToken = new Map<string, Set<string>>();
  private readonly options: TokenCacheOptions;

  constructor(options: Partial<TokenCacheOptions> = {}) {
    this.options = { ...defaultTokenCacheOptions, ...options };
  }

  /** `undefined`: not cached (or expired at `nowMs`); `null`: known not to exist; otherwise the token. */
  get(hash: SecretHash | string, nowMs: number): CachedToken | null | undefined {
    let entry = this.young.get(hash);
    if (entry === undefined) {
      entry = this.old.get(hash);
      if (entry === undefined) return undefined;
      this.old.delete(hash);
      this.keep(hash, entry);
    }
    if (nowMs >= entry.untilMs) {
      this.delete(hash);
      return undefined;
    }
    return entry.token === null ? null : entry;
  }

  setFound(secret: TokenSecretRecord, token: TokenRecord, nowMs: number): CachedToken {
    const parsed = parseIpAllowlist(token.allowedIps);
    // Stored lists were validated on the way in; an unparseable one (edited database) allows nothing.
    const ipAllowlist: IpAllowlist = parsed.ok ? parsed.allowlist : { entries: token.allowedIps, allows: () => false };
    const entry = cachedToken(token, ipAllowlist, secret.expiresAt === null ? null : Date.parse(secret.expiresAt));
    entry.untilMs = nowMs + this.options.ttlMs;
    this.delete(secret.hash);
    this.keep(secret.hash, entry);
    const key = tokenKey(token);
    let set = this.hashesByToken.get(key);
    if (!set) this.hashesByToken.set(key, (set = new Set()));
    set.add(secret.hash);
    return entry;
  }

  setMissing(hash: SecretHash | string, nowMs: number): void {
    this.delete(hash);
    this.keep(hash, { token: null, untilMs: nowMs + this.options.negativeTtlMs });
  }

  /** Drops every cached secret of the token (call after any change to it). */
  invalidateToken(accountId: string, tokenId: TokenId | string): void {
    const set = this.hashesByToken.get(`${accountId}\u0000${tokenId}`);
    if (!set) return;
    for (const hash of [...set]) this.delete(hash);
  }

  /** Forgets that a hash was unknown (a secret was just created with it). */
  forgetMissing(hash: SecretHash): void {
    const entry = this.young.get(hash) ?? this.old.get(hash);
    if (entry?.token === null) this.delete(hash);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
    this.hashesByToken.clear();
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  private keep(hash: string, entry: Entry): void {
    this.young.set(hash, entry);
    if (this.young.size < Math.max(1, Math.floor(this.options.max / 2))) return;
    const dropped = this.old;
    this.old = this.young;
    this.young = new Map();
    for (const [gone, goneEntry] of dropped) this.forgetHash(gone, goneEntry);
  }

  private delete(hash: string): void {
    const entry = this.young.get(hash) ?? this.old.get(hash);
    if (entry === undefined) return;
    this.young.delete(hash);
    this.old.delete(hash);
    this.forgetHash(hash, entry);
  }

  private forgetHash(hash: string, entry: Entry): void {
    if (entry.token === null) return;
    const key = tokenKey(entry.token);
    const set = this.hashesByToken.get(key);
    set?.delete(hash);
    if (set?.size === 0) this.hashesByToken.delete(key);
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
    untilMs: Number.POSITIVE_INFINITY,
    usage: undefined,
    // Declared up front, so every entry keeps one shape as the verify path fills these in.
    prepared: undefined,
    preparedFor: undefined,
    endpointVerdicts: undefined,
  };
}

function tokenKey(token: Pick<TokenRecord, 'accountId' | 'id'>): string {
  return `${token.accountId}\u0000${token.id}`;
}
