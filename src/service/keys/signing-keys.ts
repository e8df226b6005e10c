/** Keys that sign issued JWTs: generated on an account's first issue, rotated on demand, kept in memory once imported. */
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK, type KeyObject } from 'jose';
import { LRUCache } from 'lru-cache';
import { newId } from '../../core/ids.js';
import { signingAlgs } from '../../core/signing-algs.js';
import type { AccountId } from '../../core/types.js';
import type { SigningKeyRecord } from '../../store/store.js';
import { nowIso, type ServiceContext } from '../context.js';

export type SigningAlg = SigningKeyRecord['alg'];
export { signingAlgs };
// The list in core names exactly the algorithms a stored key may have.
signingAlgs satisfies readonly SigningAlg[];
export const DEFAULT_SIGNING_ALG: SigningAlg = 'EdDSA';

/**
 * The longest an issued token may live. A retired key keeps verifying this long after its retirement, so every
 * token it signed can run out its lifetime, and then drops out of the JWKS.
 */
export const MAX_ISSUED_LIFETIME_SECONDS = 366 * 86_400;

type Key = CryptoKey | KeyObject | Uint8Array;

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  accountId: AccountId;
  privateKey: Key;
}

export interface VerificationKey {
  kid: string;
  alg: SigningAlg;
  accountId: AccountId;
  publicKey: Key;
  /** Epoch ms after which the key verifies nothing; `null`: no end. */
  notAfterMs: number | null;
}

/** How long this instance signs with the key it loaded before asking the store again (another instance may rotate). */
const ACTIVE_KEY_TTL_MS = 30_000;

export class SigningKeys {
  private readonly active = new Map<string, { key: SigningKey; loadedAtMs: number }>();
  /** One in-flight load or generation per account, so concurrent first issues make one key, not several. */
  private readonly loading = new Map<string, Promise<SigningKey>>();
  private readonly verifying = new LRUCache<string, VerificationKey | { missing: true }>({ max: 10_000, ttl: 60_000 });

  constructor(private readonly ctx: ServiceContext) {}

  /** The key that signs the account's new tokens; made on first use. */
  signingKey(accountId: AccountId): Promise<SigningKey> {
    const held = this.active.get(accountId);
    if (held && this.ctx.clock.now() - held.loadedAtMs < ACTIVE_KEY_TTL_MS) return Promise.resolve(held.key);
    let pending = this.loading.get(accountId);
    if (!pending) {
      pending = this.loadOrCreate(accountId).finally(() => this.loading.delete(accountId));
      this.loading.set(accountId, pending);
    }
    return pending;
  }

  /** The public key for a JWT header's `kid`, or `undefined` (unknown kid, or past its end). */
  async verificationKey(kid: string): Promise<VerificationKey | undefined> {
    let entry = this.verifying.get(kid);
    if (entry === undefined) {
      const record = await this.ctx.store.getSigningKey(kid);
      entry = record ? await toVerificationKey(record) : { missing: true };
      // Unknown kids are remembered briefly only: a key another instance just made must become usable soon.
      this.verifying.set(kid, entry, 'missing' in entry ? { ttl: 5_000 } : {});
    }
    if ('missing' in entry) return undefined;
    if (entry.notAfterMs !== null && this.ctx.clock.now() >= entry.notAfterMs) return undefined;
    return entry;
  }

  /** Makes a new key (not stored): the caller stores it, in a transaction with whatever else it writes. */
  async generate(accountId: AccountId, alg: SigningAlg): Promise<SigningKeyRecord> {
    const { publicKey, privateKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { extractable: true });
    const kid = newId('signingKey', this.ctx.randomBytes);
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg };
    return { kid, accountId, alg, publicJwk, privateJwk, createdAt: nowIso(this.ctx), retiredAt: null, notAfter: null };
  }

  /** Forgets what this instance holds for the account (after a rotation), so the next issue reloads. */
  forgetAccount(accountId: AccountId): void {
    this.active.delete(accountId);
  }

  /** Every key that still verifies, of every account, as a JWK Set (RFC 7517). */
  async jwks(): Promise<{ keys: JWK[] }> {
    const records = await this.ctx.store.listSigningKeys({ now: nowIso(this.ctx) });
    return { keys: records.map((r) => r.publicJwk as JWK) };
  }

  private async loadOrCreate(accountId: AccountId): Promise<SigningKey> {
    const records = await this.ctx.store.listSigningKeys({ accountId, now: nowIso(this.ctx) });
    let current = records.find((r) => r.retiredAt === null);
    if (!current) {
      current = await this.generate(accountId, DEFAULT_SIGNING_ALG);
      await this.ctx.store.insertSigningKey(current);
      this.ctx.logger.info({ accountId, kid: current.kid }, 'signing key created');
    }
    const key: SigningKey = {
      kid: current.kid,
      alg: current.alg,
      accountId,
      privateKey: await importJWK(current.privateJwk as JWK, current.alg),
    };
    this.active.set(accountId, { key, loadedAtMs: this.ctx.clock.now() });
    return key;
  }
}

async function toVerificationKey(record: SigningKeyRecord): Promise<VerificationKey> {
  const { d: _private, ...publicOnly } = record.publicJwk as JWK;
  return {
    kid: record.kid,
    alg: record.alg,
    accountId: record.accountId,
    publicKey: await importJWK(publicOnly, record.alg),
    notAfterMs: record.notAfter === null ? null : Date.parse(record.notAfter),
  };
}
