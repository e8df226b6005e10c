/** What every area of the store contract builds on: records with defaults, a fresh store per test, list helpers. */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, expect } from 'vitest';
import { TesseraError } from '../../core/errors.js';
import { defaultAccountPolicy, type AccountId, type AccountRecord, type AuditDraft, type Scope, type SecretHash, type TokenId, type TokenRecord, type TokenSecretRecord } from '../../core/types.js';
import type { Store, StoreOps } from '../store.js';

/** Minutes after a fixed epoch, as the `toISOString()` text every backend stores. */
export function at(minutes: number): string {
  return new Date(Date.UTC(2025, 0, 1) + minutes * 60_000).toISOString();
}

export function hashOf(seed: string): SecretHash {
  return createHash('sha256').update(seed).digest('hex') as SecretHash;
}

let counter = 0;
/** Unique per test run, so a backend that shares one database between tests still gives each test its own account. */
function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

export function makeAccount(overrides: Partial<AccountRecord> = {}): AccountRecord {
  return {
    id: uniqueId('acc') as AccountId,
    name: 'Acme',
    tokenPrefix: 'tsr',
    policy: { ...defaultAccountPolicy },
    createdAt: at(0),
    ...overrides,
  };
}

/**
 * For every test of the enclosing describe: a fresh, migrated store holding two accounts (Main and Other),
 * handed to `use`; closed after the test.
 */
export function storeWithAccounts(
  makeStore: () => Promise<Store>,
  use: (store: Store, acc: AccountRecord, other: AccountRecord) => void,
): void {
  let fresh: [Store, AccountRecord, AccountRecord] | undefined;
  emptyStore(makeStore, (...made) => (fresh = made));
  beforeEach(async () => {
    const [store, acc, other] = fresh!;
    await store.insertAccount(acc);
    await store.insertAccount(other);
    use(store, acc, other);
  });
}

/**
 * For every test of the enclosing describe: a fresh, migrated store with two accounts (Main and Other) made but not
 * inserted, handed to `use`; closed after the test.
 */
export function emptyStore(
  makeStore: () => Promise<Store>,
  use: (store: Store, acc: AccountRecord, other: AccountRecord) => void,
): void {
  let store: Store | undefined;
  beforeEach(async () => {
    store = await makeStore();
    await store.migrate();
    use(store, makeAccount({ name: 'Main' }), makeAccount({ name: 'Other', createdAt: at(5) }));
  });
  afterEach(async () => {
    await store?.close();
  });
}

export function makeToken(accountId: AccountId, id: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id: id as TokenId,
    accountId,
    kind: 'standard',
    name: `token ${id}`,
    description: null,
    profileId: null,
    scopes: ['tokens:read' as Scope],
    deny: [],
    templates: [],
    hint: 'tsr_AbCd…wXyZ',
    createdAt: at(1),
    updatedAt: at(1),
    validFrom: null,
    expiresAt: null,
    allowedIps: [],
    enabled: true,
    revokedAt: null,
    lastUsedAt: null,
    useCount: 0,
    createdBy: null,
    parentId: null,
    metadata: {},
    identityId: null,
    limits: [],
    credits: null,
    version: 1,
    instance: `inst_${id}`,
    ...overrides,
  };
}

export function makeSecret(token: TokenRecord, seed: string, expiresAt: string | null = null): TokenSecretRecord {
  return { hash: hashOf(`${token.accountId}/${seed}`), tokenId: token.id, accountId: token.accountId, createdAt: token.createdAt, expiresAt };
}

export function makeDraft(accountId: AccountId, overrides: Partial<AuditDraft> = {}): AuditDraft {
  return {
    accountId,
    actor: null,
    action: 'token.create',
    targetType: 'token',
    targetId: 'tok_x',
    before: null,
    after: { name: 'x' },
    at: at(10),
    ...overrides,
  };
}

/** The list order every backend must give: newest `createdAt` first, then id, both compared as plain code units. */
export function listOrder(a: TokenRecord, b: TokenRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export async function insertTokens(ops: StoreOps, tokens: TokenRecord[]): Promise<void> {
  for (const token of tokens) await ops.insertToken(token, makeSecret(token, token.id));
}

export async function expectBadCursor(promise: Promise<unknown>): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TesseraError);
  expect(error).toMatchObject({ code: 'BAD_REQUEST', field: 'cursor' });
}

export const badCursors = [
  'not a cursor!',
  Buffer.from('[1,2]').toString('base64url'),
  Buffer.from('{"c":1,"i":"x"}').toString('base64url'),
  Buffer.from('{"s":-1}').toString('base64url'),
  Buffer.from('{"s":"x","c":"y"').toString('base64url'),
];

