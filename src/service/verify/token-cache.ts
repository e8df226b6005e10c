/** In-memory answers for the verify path: secret hash → token, with a negative cache for unknown hashes. */
import { chainHolders, type ChainHolders } from '../limits/chain-holders.js';
import type { QuickLimits } from '../limits/apply-limits.js';
import type { CompiledCatalog, PreparedPermissions } from '../../core/catalog/index.js';
import type { Permissions } from '../../core/scope.js';
import { parseIpAllowlist, type IpAllowlist } from '../../core/ip-allowlist.js';
import type { SecretHash, TokenId, TokenRecord, TokenSecretRecord } from '../../core/types.js';
import type { EndpointVerdicts } from './endpoint-verdicts.js';
import type { UsageSlot } from '../usage/usage-buffer.js';

export interface CachedToken extends UsageSlot {
  token: TokenRecord;
  /** The allowed-address lists of the token and of every token on its chain that has one (each must allow). */
  ipAllowlists: readonly IpAllowlist[];
  /** End of a rotated-out secret's overlap, in epoch ms; `null` for the current secret. */
  secretExpiresAtMs: number | null;
  /**
   * The limits of the whole chain (the token and every ancestor), parsed once: the earliest expiry, the latest
   * start, enabled only if every link is, revoked if any link is (or is missing). A timestamp that does not parse
   * is `NaN`: it fails closed. See docs/security.md.
   */
  expiresAtMs: number | null;
  validFromMs: number | null;
  lifecycle: Pick<TokenRecord, 'enabled' | 'revokedAt'>;
  /** Ancestors whose permissions grant less than everything: a check must pass against each of them too. */
  ancestorPermissions: readonly AncestorPermissions[];
  /** Keys of the token and of each ancestor: a change to any of them drops this entry. */
  chainKeys: readonly string[];
  /** The chain's rate-limit holders (tokens with limits, identities), consumed by every recorded check (docs/limits.md). */
  holders: ChainHolders;
  /** What the common limited check takes, once its first check has made it (apply-limits.ts `quickPass`). */
  quickLimits?: QuickLimits;
  /** The answer for a check that passes without naming an endpoint, made once: the verify path allocates nothing. */
  valid: { readonly valid: true; readonly code: 'VALID'; readonly token: TokenRecord; readonly limits: ChainLimits };
  /** Served from the cache until then (epoch ms); `Infinity` for an entry the cache does not hold. */
  untilMs: number;
  /** The token's permissions expanded for `preparedFor`, computed at its first scope check. */
  prepared?: PreparedPermissions;
  preparedFor?: CompiledCatalog;
  /** Recent endpoint checks and their answers (the verify path's results), for one catalog. */
  endpointVerdicts?: EndpointVerdicts<unknown>;
}

/** An ancestor's permissions, expanded for one catalog at the first check that needs them. */
export interface AncestorPermissions {
  tokenId: TokenId;
  permissions: Permissions;
  prepared?: PreparedPermissions;
  preparedFor?: CompiledCatalog;
}

/**
 * What a token may pass on to what it creates, from its whole chain: the earliest expiry, every non-empty
 * allowed-address list, and the ancestors' permissions (its own are on the token).
 */
export interface ChainLimits {
  /** How many ancestors the token has. */
  depth: number;
  expiresAtMs: number | null;
  allowedIps: readonly (readonly string[])[];
  ancestorPermissions: readonly Permissions[];
}

/** An ancestor as read from the store, or `null` for one that no longer exists (it counts as revoked). */
export type Ancestor = TokenRecord | null;

/**
 * Where in [0, 1) a secret hash falls, from its last four hex digits (a SHA-256 is uniform): spreads entries'
 * lifetimes without a random draw per entry. Anything not hex (never a real hash) falls at 0.
 */
function spreadOf(hash: string): number {
  const bits = Number.parseInt(hash.slice(-4), 16);
  return Number.isNaN(bits) ? 0 : bits / 0x10000;
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
  /**
   * How long a positive entry may be served without a store read (ms); changes made here invalidate at once. Each
   * entry lives between `ttlMs × (1 − ttlSpread)` and `ttlMs`, by its hash: tokens cached in the same second (a
   * start, a burst of new clients) do not all expire, and hit the store, in the same second a minute later.
   */
  ttlMs: number;
  /** The fraction of `ttlMs` over which entries' lifetimes are spread (0: all live exactly `ttlMs`). */
  ttlSpread: number;
  /** How long an unknown hash is remembered as unknown (ms). */
  negativeTtlMs: number;
}

export const defaultTokenCacheOptions: TokenCacheOptions = { max: 100_000, ttlMs: 60_000, ttlSpread: 0.5, negativeTtlMs: 10_000 };

/**
 * Two generations of plain Maps (see docs/decisions.md, "Token cache"): a hit in the young one is one Map
 * lookup; a hit in the old one moves the entry to the young one; when the young one holds half of `max`, it
 * becomes the old one and the old one's entries (not used for a whole generation) are dropped. Least recently
 * used entries go first, as in an LRU, without a linked list to update on every hit.
 */
export class TokenCache {
  private young = new Map<string, Entry>();
  private old = new Map<string, Entry>();
  /**
   * token id → the cached secret hashes of it and of every token it made (directly or further down), so that a
   * change to a token drops every way in to it and to its descendants.
   */
  private readonly hashesByToken = new Map<string, Set<string>>();
  private readonly options: TokenCacheOptions;
  /**
   * Counts the changes heard so far. A store read begun before a change may hold what the change undid (a token
   * read just before its revoke commits): such a read answers its own check but is not kept.
   */
  private changes = 0;

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

  /** Take before a store read whose answer goes to {@link setFound} or {@link setMissing}. */
  get readMark(): number {
    return this.changes;
  }

  /**
   * Caches the token with its ancestors (nearest first), as {@link readAncestors} gives them, read since `readMark`
   * (a change heard since then: the entry is made for this one check and not kept).
   */
  setFound(secret: TokenSecretRecord, token: TokenRecord, nowMs: number, ancestors: readonly Ancestor[], readMark: number): CachedToken {
    const entry = cachedToken(token, ancestors, secret.expiresAt === null ? null : Date.parse(secret.expiresAt));
    if (readMark !== this.changes) return entry;
    entry.untilMs = nowMs + this.options.ttlMs * (1 - this.options.ttlSpread * spreadOf(secret.hash));
    this.delete(secret.hash);
    this.keep(secret.hash, entry);
    for (const key of entry.chainKeys) {
      let set = this.hashesByToken.get(key);
      if (!set) this.hashesByToken.set(key, (set = new Set()));
      set.add(secret.hash);
    }
    return entry;
  }

  /** Remembers that a hash read since `readMark` is no stored secret (unless a change was heard since). */
  setMissing(hash: SecretHash | string, nowMs: number, readMark: number): void {
    if (readMark !== this.changes) return;
    this.delete(hash);
    this.keep(hash, { token: null, untilMs: nowMs + this.options.negativeTtlMs });
  }

  /** Drops every cached secret of the token and of its descendants (call after any change to it). */
  invalidateToken(accountId: string, tokenId: TokenId | string): void {
    this.changes += 1;
    const set = this.hashesByToken.get(`${accountId}\u0000${tokenId}`);
    if (!set) return;
    for (const hash of [...set]) this.delete(hash);
  }

  /** Forgets that a hash was unknown (a secret was just created with it). */
  forgetMissing(hash: SecretHash): void {
    this.changes += 1;
    const entry = this.young.get(hash) ?? this.old.get(hash);
    if (entry?.token === null) this.delete(hash);
  }

  clear(): void {
    this.changes += 1;
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
    for (const key of entry.chainKeys) {
      const set = this.hashesByToken.get(key);
      set?.delete(hash);
      if (set?.size === 0) this.hashesByToken.delete(key);
    }
  }
}

/**
 * An entry for the verify path: the token with the limits of its whole chain parsed, and its passing answer made
 * once. `ancestors` nearest first; an ancestor that allows everything forever (enabled, no dates, no addresses,
 * `*`) adds nothing to check, so a token made by the root token costs no more to check than the root itself.
 */
export function cachedToken(token: TokenRecord, ancestors: readonly Ancestor[], secretExpiresAtMs: number | null): CachedToken {
  let expiresAtMs = parseTime(token.expiresAt);
  let validFromMs = parseTime(token.validFrom);
  let enabled = token.enabled;
  let revokedAt = token.revokedAt;
  const allowedIps: (readonly string[])[] = token.allowedIps.length > 0 ? [token.allowedIps] : [];
  const ancestorPermissions: AncestorPermissions[] = [];
  const chainKeys = [tokenKey(token)];
  for (const ancestor of ancestors) {
    if (ancestor === null) {
      revokedAt ??= MISSING_ANCESTOR;
      continue;
    }
    chainKeys.push(tokenKey(ancestor));
    expiresAtMs = earlier(expiresAtMs, parseTime(ancestor.expiresAt));
    validFromMs = later(validFromMs, parseTime(ancestor.validFrom));
    enabled &&= ancestor.enabled;
    revokedAt ??= ancestor.revokedAt;
    if (ancestor.allowedIps.length > 0) allowedIps.push(ancestor.allowedIps);
    if (!grantsEverything(ancestor)) {
      ancestorPermissions.push({ tokenId: ancestor.id, permissions: { scopes: ancestor.scopes, deny: ancestor.deny }, prepared: undefined, preparedFor: undefined });
    }
  }
  const limits: ChainLimits = Object.freeze({
    depth: ancestors.length,
    expiresAtMs,
    allowedIps,
    ancestorPermissions: ancestorPermissions.map((a) => a.permissions),
  });
  return {
    token,
    ipAllowlists: allowedIps.map(allowlistOf),
    secretExpiresAtMs,
    expiresAtMs,
    validFromMs,
    lifecycle: { enabled, revokedAt },
    ancestorPermissions,
    chainKeys,
    holders: chainHolders([token, ...ancestors.filter((a) => a !== null)]),
    quickLimits: undefined,
    valid: Object.freeze({ valid: true, code: 'VALID', token, limits } as const),
    untilMs: Number.POSITIVE_INFINITY,
    usage: undefined,
    // Declared up front, so every entry keeps one shape as the verify path fills these in.
    prepared: undefined,
    preparedFor: undefined,
    endpointVerdicts: undefined,
  };
}

/**
 * An entry for a credential made by the token of `parent` (an issued JWT): its own record, within everything that
 * bounds the parent — the parent's whole chain and the parent's own permissions.
 */
export function childEntry(token: TokenRecord, parent: CachedToken): CachedToken {
  const entry = cachedToken(token, [], null);
  entry.expiresAtMs = earlier(entry.expiresAtMs, parent.expiresAtMs);
  entry.validFromMs = later(entry.validFromMs, parent.validFromMs);
  entry.lifecycle = {
    enabled: entry.lifecycle.enabled && parent.lifecycle.enabled,
    revokedAt: entry.lifecycle.revokedAt ?? parent.lifecycle.revokedAt,
  };
  entry.ipAllowlists = [...entry.ipAllowlists, ...parent.ipAllowlists];
  const parentOwn = grantsEverything(parent.token)
    ? []
    : [{ tokenId: parent.token.id, permissions: { scopes: parent.token.scopes, deny: parent.token.deny }, prepared: undefined, preparedFor: undefined }];
  entry.ancestorPermissions = [...parentOwn, ...parent.ancestorPermissions.map((a) => ({ ...a }))];
  entry.chainKeys = [...entry.chainKeys, ...parent.chainKeys];
  entry.holders = chainHolders([token], parent.holders);
  const limits: ChainLimits = Object.freeze({
    depth: parent.valid.limits.depth + 1,
    expiresAtMs: entry.expiresAtMs,
    allowedIps: [...entry.valid.limits.allowedIps, ...parent.valid.limits.allowedIps],
    ancestorPermissions: entry.ancestorPermissions.map((a) => a.permissions),
  });
  entry.valid = Object.freeze({ valid: true, code: 'VALID', token, limits } as const);
  return entry;
}

/** Stands for the `revokedAt` of an ancestor that no longer exists: its descendants are refused as revoked. */
const MISSING_ANCESTOR = 'missing ancestor';

function parseTime(value: string | null): number | null {
  return value === null ? null : Date.parse(value);
}

/** The earlier of two limits (`null`: none); `NaN` (an unreadable time) wins, so the chain fails closed. */
function earlier(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b);
}

function later(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b);
}

function grantsEverything(token: TokenRecord): boolean {
  return token.deny.length === 0 && token.scopes.includes('*' as TokenRecord['scopes'][number]);
}

/** Stored lists were validated on the way in; an unparseable one (an edited database) allows nothing. */
function allowlistOf(entries: readonly string[]): IpAllowlist {
  const parsed = parseIpAllowlist([...entries]);
  return parsed.ok ? parsed.allowlist : { entries, allows: () => false };
}

function tokenKey(token: Pick<TokenRecord, 'accountId' | 'id'>): string {
  return `${token.accountId}\u0000${token.id}`;
}
