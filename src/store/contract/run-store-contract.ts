/** The behaviour every `Store` backend must show, run unchanged by each backend's test entry file. */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEventHash, checkAuditChain, GENESIS_HASH } from '../../core/audit-chain.js';
import { TesseraError } from '../../core/errors.js';
import {
  defaultAccountPolicy,
  type AccountId,
  type AccountRecord,
  type AuditDraft,
  type AuditEvent,
  type Scope,
  type SecretHash,
  type TokenId,
  type TokenRecord,
  type TokenSecretRecord,
} from '../../core/types.js';
import {
  StoreConflictError,
  type Store,
  type StoreOps,
  type UsageEventRecord,
  type UsageMinuteDelta,
} from '../store.js';
import { runBulkInsertContract } from './bulk-insert-contract.js';
import { runCatalogAndKeyContract } from './catalog-key-contract.js';
import { runEndpointContract } from './endpoint-contract.js';

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
  let store: Store | undefined;
  beforeEach(async () => {
    store = await makeStore();
    await store.migrate();
    const acc = makeAccount({ name: 'Main' });
    const other = makeAccount({ name: 'Other', createdAt: at(5) });
    await store.insertAccount(acc);
    await store.insertAccount(other);
    use(store, acc, other);
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
    version: 1,
    instance: `inst_${id}`,
    ...overrides,
  };
}

export function makeSecret(token: TokenRecord, seed: string, expiresAt: string | null = null): TokenSecretRecord {
  return { hash: hashOf(`${token.accountId}/${seed}`), tokenId: token.id, accountId: token.accountId, createdAt: token.createdAt, expiresAt };
}

function makeDraft(accountId: AccountId, overrides: Partial<AuditDraft> = {}): AuditDraft {
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
function listOrder(a: TokenRecord, b: TokenRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

async function insertTokens(ops: StoreOps, tokens: TokenRecord[]): Promise<void> {
  for (const token of tokens) await ops.insertToken(token, makeSecret(token, token.id));
}

async function expectBadCursor(promise: Promise<unknown>): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TesseraError);
  expect(error).toMatchObject({ code: 'BAD_REQUEST', field: 'cursor' });
}

const badCursors = [
  'not a cursor!',
  Buffer.from('[1,2]').toString('base64url'),
  Buffer.from('{"c":1,"i":"x"}').toString('base64url'),
  Buffer.from('{"s":-1}').toString('base64url'),
  Buffer.from('{"s":"x","c":"y"').toString('base64url'),
];

/**
 * Registers the contract suite. `makeStore` must return a new store over an empty database on every call;
 * the suite runs `migrate()` itself and closes the store after each test.
 */
export function runStoreContract(name: string, makeStore: () => Promise<Store>): void {
  runEndpointContract(name, makeStore);
  runCatalogAndKeyContract(name, makeStore);
  runBulkInsertContract(name, makeStore);
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let acc: AccountRecord;
    let other: AccountRecord;

    beforeEach(async () => {
      store = await makeStore();
      await store.migrate();
      acc = makeAccount({ name: 'Main' });
      other = makeAccount({ name: 'Other', createdAt: at(5) });
    });
    afterEach(async () => {
      await store.close();
    });

    const seedAccounts = async (): Promise<void> => {
      await store.insertAccount(acc);
      await store.insertAccount(other);
    };

    describe('basics', () => {
      it('names its kind and answers ping', async () => {
        expect(['sqlite', 'postgres']).toContain(store.kind);
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('migrate is idempotent', async () => {
        await store.migrate();
        await seedAccounts();
        await store.migrate();
        expect(await store.getAccount(acc.id)).toStrictEqual(acc);
      });
    });

    describe('accounts', () => {
      it('round-trips an account, policy included', async () => {
        const policy = { ...defaultAccountPolicy, permissionsEditable: true, maxLifetimeSeconds: 86_400 };
        const account = makeAccount({ name: 'Ünïcode "quoted"', tokenPrefix: 'acme', policy });
        await store.insertAccount(account);
        expect(await store.getAccount(account.id)).toStrictEqual(account);
        expect(await store.getAccount('acc_missing' as AccountId)).toBeUndefined();
      });

      it('refuses a duplicate account id', async () => {
        await store.insertAccount(acc);
        await expect(store.insertAccount({ ...acc, name: 'again' })).rejects.toBeInstanceOf(StoreConflictError);
        expect((await store.getAccount(acc.id))?.name).toBe('Main');
      });

      it('getDefaultAccount is undefined when empty, then the oldest account', async () => {
        expect(await store.getDefaultAccount()).toBeUndefined();
        await store.insertAccount(other);
        await store.insertAccount(acc);
        expect(await store.getDefaultAccount()).toStrictEqual(acc);
      });

      it('updateAccountPolicy replaces only the policy', async () => {
        await seedAccounts();
        const policy = { ...defaultAccountPolicy, allowAppScheme: true, maxLifetimeSeconds: 60 };
        await store.updateAccountPolicy(acc.id, policy);
        expect(await store.getAccount(acc.id)).toStrictEqual({ ...acc, policy });
        expect(await store.getAccount(other.id)).toStrictEqual(other);
      });
    });

    describe('tokens', () => {
      beforeEach(seedAccounts);

      it('round-trips every field exactly', async () => {
        const full = makeToken(acc.id, 'tok_full', {
          name: 'Deploy bot ✓',
          description: 'Ships "builds"\nnightly',
          profileId: 'user_42',
          scopes: ['message:send', 'device:*:ReadBucket', 'tenant:t1:notification:write'] as Scope[],
          deny: ['device:d9:DeleteDevice'] as Scope[],
          templates: ['sender', 'viewer'],
          createdAt: at(1),
          updatedAt: at(2),
          validFrom: at(3),
          expiresAt: at(60 * 24 * 365),
          allowedIps: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'],
          enabled: false,
          revokedAt: at(4),
          lastUsedAt: at(3),
          useCount: 17,
          createdBy: 'tok_admin' as TokenId,
          parentId: 'tok_parent' as TokenId,
          metadata: { team: 'ops', nested: { list: [1, 2.5, 'x', null, true], empty: {} }, 'key with space': 'ü' },
          version: 7,
        });
        const minimal = makeToken(acc.id, 'tok_min');
        await insertTokens(store, [full, minimal]);
        expect(await store.getToken(acc.id, full.id)).toStrictEqual(full);
        expect(await store.getToken(acc.id, minimal.id)).toStrictEqual(minimal);
        expect(await store.getToken(other.id, full.id)).toBeUndefined();
        expect(await store.getToken(acc.id, 'tok_nope' as TokenId)).toBeUndefined();
      });

      it('refuses a duplicate id in one account and keeps the first token and nothing of the second', async () => {
        const first = makeToken(acc.id, 'tok_dup', { name: 'first' });
        await store.insertToken(first, makeSecret(first, 'one'));
        const second = { ...first, name: 'second' };
        await expect(store.insertToken(second, makeSecret(second, 'two'))).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.getToken(acc.id, first.id)).toStrictEqual(first);
        expect(await store.findSecret(makeSecret(second, 'two').hash)).toBeUndefined();
        expect(await store.countTokens(acc.id)).toBe(1);
      });

      it('allows the same id in two accounts', async () => {
        const mine = makeToken(acc.id, 'tok_same', { name: 'mine' });
        const theirs = makeToken(other.id, 'tok_same', { name: 'theirs' });
        await insertTokens(store, [mine, theirs]);
        expect((await store.getToken(acc.id, mine.id))?.name).toBe('mine');
        expect((await store.getToken(other.id, mine.id))?.name).toBe('theirs');
      });

      it('refuses a duplicate secret hash, atomically', async () => {
        const first = makeToken(acc.id, 'tok_a');
        const secret = makeSecret(first, 'shared');
        await store.insertToken(first, secret);
        const second = makeToken(acc.id, 'tok_b');
        await expect(store.insertToken(second, { ...secret, tokenId: second.id })).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.getToken(acc.id, second.id)).toBeUndefined();
        await expect(store.insertSecret({ ...secret, createdAt: at(9) })).rejects.toBeInstanceOf(StoreConflictError);
        expect((await store.findSecret(secret.hash))?.token.id).toBe(first.id);
      });

      it('updateToken replaces the fields and writes the version as given', async () => {
        const token = makeToken(acc.id, 'tok_u', { metadata: { a: 1 } });
        await insertTokens(store, [token]);
        const changed: TokenRecord = {
          ...token,
          name: 'Renamed',
          description: 'now described',
          profileId: 'p2',
          scopes: ['audit:read'] as Scope[],
          deny: ['audit:read:secret'] as Scope[],
          templates: ['t'],
          hint: 'tsr_NewH…int1',
          updatedAt: at(30),
          validFrom: at(2),
          expiresAt: at(90),
          allowedIps: ['::1'],
          enabled: false,
          revokedAt: at(31),
          parentId: 'tok_p' as TokenId,
          metadata: { b: [2] },
          version: 5,
        };
        expect(await store.updateToken(changed)).toBe(true);
        expect(await store.getToken(acc.id, token.id)).toStrictEqual(changed);
        expect(await store.updateToken(makeToken(acc.id, 'tok_ghost'))).toBe(false);
        expect(await store.getToken(acc.id, 'tok_ghost' as TokenId)).toBeUndefined();
        expect(await store.updateToken({ ...changed, accountId: other.id })).toBe(false);
      });

      it('updateToken never rolls usage counters back', async () => {
        const token = makeToken(acc.id, 'tok_usage');
        await insertTokens(store, [token]);
        await store.applyUsage([{ accountId: acc.id, tokenId: token.id, count: 4, lastUsedAt: at(20) }]);
        await store.updateToken({ ...token, name: 'stale copy', version: 2 });
        expect(await store.getToken(acc.id, token.id)).toMatchObject({ name: 'stale copy', useCount: 4, lastUsedAt: at(20) });
      });

      it('deleteTokens removes tokens and their secrets and reports only what existed', async () => {
        const tokens = ['tok_1', 'tok_2', 'tok_3'].map((id) => makeToken(acc.id, id));
        const foreign = makeToken(other.id, 'tok_1');
        await insertTokens(store, [...tokens, foreign]);
        await store.insertSecret(makeSecret(tokens[0]!, 'second', at(50)));

        const ids = ['tok_3', 'tok_missing', 'tok_1', 'tok_1'] as TokenId[];
        const deleted = await store.deleteTokens(acc.id, ids);
        expect([...deleted].sort()).toEqual(['tok_1', 'tok_3']);
        expect(await store.getToken(acc.id, 'tok_1' as TokenId)).toBeUndefined();
        expect(await store.listSecretHashes(acc.id, 'tok_1' as TokenId)).toEqual([]);
        expect(await store.findSecret(makeSecret(tokens[0]!, 'second').hash)).toBeUndefined();
        expect(await store.getToken(acc.id, 'tok_2' as TokenId)).toBeDefined();
        expect(await store.getToken(other.id, 'tok_1' as TokenId)).toStrictEqual(foreign);
        expect(await store.findSecret(makeSecret(foreign, foreign.id).hash)).toBeDefined();
        expect(await store.deleteTokens(acc.id, [])).toEqual([]);
      });

      it('countTokens counts one account', async () => {
        expect(await store.countTokens(acc.id)).toBe(0);
        await insertTokens(store, [makeToken(acc.id, 'a'), makeToken(acc.id, 'b'), makeToken(other.id, 'a')]);
        expect(await store.countTokens(acc.id)).toBe(2);
        expect(await store.countTokens(other.id)).toBe(1);
      });

      it('listDescendants follows parents over several levels, within one account', async () => {
        const t = (id: string, parentId: string | null, minute: number, accountId = acc.id): TokenRecord =>
          makeToken(accountId, id, { parentId: parentId as TokenId | null, createdAt: at(minute) });
        await insertTokens(store, [
          t('root', null, 1),
          t('a', 'root', 2),
          t('b', 'root', 3),
          t('a1', 'a', 4),
          t('a1x', 'a1', 5),
          t('lone', null, 6),
          t('stranger', 'root', 7, other.id),
        ]);
        const ids = async (id: string): Promise<string[]> =>
          (await store.listDescendants(acc.id, id as TokenId)).map((token) => token.id).sort();
        expect(await ids('root')).toEqual(['a', 'a1', 'a1x', 'b']);
        expect(await ids('a')).toEqual(['a1', 'a1x']);
        expect(await ids('a1x')).toEqual([]);
        expect(await ids('missing')).toEqual([]);
        const [child] = await store.listDescendants(acc.id, 'a1' as TokenId);
        expect(child).toStrictEqual(await store.getToken(acc.id, 'a1x' as TokenId));
      });
    });

    describe('listTokens', () => {
      beforeEach(seedAccounts);
      const now = at(100);

      it('filters by status at the given time', async () => {
        await insertTokens(store, [
          makeToken(acc.id, 'plain'),
          makeToken(acc.id, 'future_expiry', { expiresAt: at(101) }),
          makeToken(acc.id, 'not_yet_valid', { validFrom: at(200) }),
          makeToken(acc.id, 'expired_now', { expiresAt: now }),
          makeToken(acc.id, 'expired', { expiresAt: at(50) }),
          makeToken(acc.id, 'disabled', { enabled: false }),
          makeToken(acc.id, 'revoked', { revokedAt: at(60) }),
          makeToken(other.id, 'foreign'),
        ]);
        const ids = async (status: 'active' | 'inactive' | 'all'): Promise<string[]> =>
          (await store.listTokens({ accountId: acc.id, status, now, limit: 100 })).items.map((t) => t.id).sort();
        expect(await ids('active')).toEqual(['future_expiry', 'not_yet_valid', 'plain']);
        expect(await ids('inactive')).toEqual(['disabled', 'expired', 'expired_now', 'revoked']);
        expect(await ids('all')).toHaveLength(7);
      });

      it('searches a case-insensitive substring of the name, wildcards taken literally', async () => {
        await insertTokens(store, [
          makeToken(acc.id, 't1', { name: 'Prod_Deploy' }),
          makeToken(acc.id, 't2', { name: 'prodXdeploy' }),
          makeToken(acc.id, 't3', { name: '100% CPU' }),
          makeToken(acc.id, 't4', { name: 'Ünïcode Öps' }),
          makeToken(other.id, 't5', { name: 'Prod_Deploy' }),
        ]);
        const search = async (text: string): Promise<string[]> =>
          (await store.listTokens({ accountId: acc.id, status: 'all', now, search: text, limit: 100 })).items
            .map((t) => t.id)
            .sort();
        expect(await search('DEPLOY')).toEqual(['t1', 't2']);
        expect(await search('d_d')).toEqual(['t1']);
        expect(await search('0%')).toEqual(['t3']);
        expect(await search('%')).toEqual(['t3']);
        expect(await search('üNÏ')).toEqual(['t4']);
        expect(await search('')).toHaveLength(4);
        expect(await search('nothing')).toEqual([]);
      });

      it('pages newest first over many pages with no duplicates or gaps, ties broken by id', async () => {
        // Ties on createdAt and ids differing only in case: the order must not depend on a collation.
        const ids = ['k', 'K', 'a', 'B', 'b', 'z', 'Z', 'm1', 'm2', 'm10', 'x', 'y', 'A', 'q', 'Q', 'r', 's', 'tt', 'u', 'v', 'w', 'ww', 'n'];
        const tokens = ids.map((id, i) => makeToken(acc.id, `tok_${id}`, { createdAt: at(i % 5) }));
        await insertTokens(store, tokens);
        const expected = [...tokens].sort(listOrder).map((t) => t.id);

        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listTokens({ accountId: acc.id, status: 'all', now, limit: 4, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(4);
          seen.push(...page.items.map((t) => t.id));
          cursor = page.nextCursor ?? undefined;
          pages += 1;
        } while (cursor !== undefined && pages < 50);
        expect(pages).toBe(Math.ceil(tokens.length / 4));
        expect(seen).toEqual(expected);

        const whole = await store.listTokens({ accountId: acc.id, status: 'all', now, limit: 100 });
        expect(whole.items.map((t) => t.id)).toEqual(expected);
        expect(whole.nextCursor).toBeNull();
        expect(whole.items[0]).toStrictEqual(tokens.find((t) => t.id === expected[0]));
      });

      it('pages under a filter and gives no cursor when the last page is exactly full', async () => {
        const tokens = Array.from({ length: 9 }, (_, i) =>
          makeToken(acc.id, `tok_${i}`, { name: i % 3 === 0 ? `Match ${i}` : `other ${i}`, createdAt: at(i), enabled: i !== 6 }),
        );
        await insertTokens(store, tokens);
        const query = { accountId: acc.id, status: 'active' as const, now, search: 'match', limit: 1 };
        const first = await store.listTokens(query);
        expect(first.items.map((t) => t.id)).toEqual(['tok_3']);
        expect(first.nextCursor).not.toBeNull();
        const second = await store.listTokens({ ...query, cursor: first.nextCursor! });
        expect(second.items.map((t) => t.id)).toEqual(['tok_0']);
        expect(second.nextCursor).toBeNull();
        const exact = await store.listTokens({ accountId: acc.id, status: 'all', now, limit: 9 });
        expect(exact.items).toHaveLength(9);
        expect(exact.nextCursor).toBeNull();
      });

      it('refuses an invalid cursor with BAD_REQUEST on the cursor field', async () => {
        for (const cursor of badCursors) {
          await expectBadCursor(store.listTokens({ accountId: acc.id, status: 'all', now, limit: 10, cursor }));
        }
      });
    });

    describe('secrets', () => {
      beforeEach(seedAccounts);

      it('findSecret returns the secret and its token, whatever the expiry', async () => {
        const token = makeToken(acc.id, 'tok_s', { metadata: { k: 'v' } });
        const current = makeSecret(token, 'current');
        await store.insertToken(token, current);
        const old = { ...makeSecret(token, 'old', at(0)), createdAt: at(0) };
        await store.insertSecret(old);
        expect(await store.findSecret(current.hash)).toStrictEqual({ secret: current, token });
        expect(await store.findSecret(old.hash)).toStrictEqual({ secret: old, token });
        expect(await store.findSecret(hashOf('unknown'))).toBeUndefined();
      });

      it('expires the current secrets at rotation, lists every hash, deletes only ended overlaps', async () => {
        const token = makeToken(acc.id, 'tok_r');
        const first = makeSecret(token, 'first');
        await store.insertToken(token, first);
        const neighbour = makeToken(acc.id, 'tok_n');
        await insertTokens(store, [neighbour]);

        await store.expireSecrets(acc.id, token.id, at(10));
        const second = { ...makeSecret(token, 'second'), createdAt: at(5) };
        await store.insertSecret(second);
        await store.expireSecrets(acc.id, token.id, at(20));
        const third = { ...makeSecret(token, 'third'), createdAt: at(15) };
        await store.insertSecret(third);

        expect((await store.findSecret(first.hash))?.secret.expiresAt).toBe(at(10));
        expect((await store.findSecret(second.hash))?.secret.expiresAt).toBe(at(20));
        expect((await store.findSecret(third.hash))?.secret.expiresAt).toBeNull();
        expect((await store.findSecret(makeSecret(neighbour, neighbour.id).hash))?.secret.expiresAt).toBeNull();
        expect([...(await store.listSecretHashes(acc.id, token.id))].sort()).toEqual([first.hash, second.hash, third.hash].sort());
        expect(await store.listSecretHashes(other.id, token.id)).toEqual([]);

        expect(await store.deleteExpiredSecrets(at(10))).toBe(1);
        expect(await store.findSecret(first.hash)).toBeUndefined();
        expect(await store.deleteExpiredSecrets(at(15))).toBe(0);
        expect([...(await store.listSecretHashes(acc.id, token.id))].sort()).toEqual([second.hash, third.hash].sort());
        expect(await store.deleteExpiredSecrets(at(1000))).toBe(1);
        expect(await store.listSecretHashes(acc.id, token.id)).toEqual([third.hash]);
      });
    });

    describe('transactions', () => {
      beforeEach(seedAccounts);

      it('commits every write and returns the result', async () => {
        const token = makeToken(acc.id, 'tok_tx');
        const result = await store.transaction(async (tx) => {
          await tx.insertToken(token, makeSecret(token, 'tx'));
          await tx.appendAudit(makeDraft(acc.id, { targetId: token.id }));
          await tx.updateToken({ ...token, name: 'renamed', version: 2 });
          return (await tx.getToken(acc.id, token.id))?.name;
        });
        expect(result).toBe('renamed');
        expect(await store.getToken(acc.id, token.id)).toStrictEqual({ ...token, name: 'renamed', version: 2 });
        expect((await store.readAuditChain(acc.id)).events).toHaveLength(1);
      });

      it('rolls everything back when the function throws', async () => {
        await store.appendAudit(makeDraft(acc.id));
        const token = makeToken(acc.id, 'tok_rb');
        const boom = new Error('boom');
        await expect(
          store.transaction(async (tx) => {
            await tx.insertToken(token, makeSecret(token, 'rb'));
            await tx.appendAudit(makeDraft(acc.id, { targetId: token.id }));
            await tx.updateAccountPolicy(acc.id, { ...defaultAccountPolicy, permissionsEditable: true });
            await tx.applyUsage([{ accountId: acc.id, tokenId: token.id, count: 1, lastUsedAt: at(9) }]);
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(await store.getToken(acc.id, token.id)).toBeUndefined();
        expect(await store.findSecret(makeSecret(token, 'rb').hash)).toBeUndefined();
        expect(await store.getAccount(acc.id)).toStrictEqual(acc);
        const chain = await store.readAuditChain(acc.id);
        expect(chain.events).toHaveLength(1);
        expect(chain.head?.seq).toBe(1);
        expect((await store.appendAudit(makeDraft(acc.id))).seq).toBe(2);
      });

      it('rolls back earlier writes when a conflict aborts the transaction', async () => {
        const existing = makeToken(acc.id, 'tok_taken');
        await insertTokens(store, [existing]);
        const fresh = makeToken(acc.id, 'tok_fresh');
        await expect(
          store.transaction(async (tx) => {
            await tx.insertToken(fresh, makeSecret(fresh, 'fresh'));
            await tx.insertToken(existing, makeSecret(existing, 'again'));
          }),
        ).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.getToken(acc.id, fresh.id)).toBeUndefined();
        expect(await store.countTokens(acc.id)).toBe(1);
      });
    });

    describe('audit', () => {
      beforeEach(seedAccounts);

      it('chains events per account: seq from 1, linked hashes, a matching head', async () => {
        const mine: AuditEvent[] = [];
        for (let i = 0; i < 4; i++) {
          mine.push(await store.appendAudit(makeDraft(acc.id, { targetId: `tok_${i}`, at: at(10 + i) })));
          await store.appendAudit(makeDraft(other.id, { at: at(10 + i) }));
        }
        expect(mine.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
        expect(mine[0]?.prevHash).toBe(GENESIS_HASH);
        mine.forEach((event, i) => {
          expect(event.id).toMatch(/^evt_[0-9A-Za-z]{22}$/);
          if (i > 0) expect(event.prevHash).toBe(mine[i - 1]?.hash);
          const { hash, ...content } = event;
          expect(hash).toBe(auditEventHash(content));
        });
        expect(new Set(mine.map((e) => e.id)).size).toBe(4);

        const chain = await store.readAuditChain(acc.id);
        expect(chain.events).toStrictEqual(mine);
        expect(chain.head).toEqual({ seq: 4, hash: mine[3]?.hash });
        expect(checkAuditChain(chain.events, chain.head)).toEqual({ ok: true, events: 4 });
        const theirs = await store.readAuditChain(other.id);
        expect(checkAuditChain(theirs.events, theirs.head)).toEqual({ ok: true, events: 4 });
      });

      it('gives an empty chain with no head to an account without events', async () => {
        const chain = await store.readAuditChain(acc.id);
        expect(chain).toEqual({ events: [], head: null });
        expect(checkAuditChain(chain.events, chain.head).ok).toBe(true);
      });

      it('keeps the chain whole under concurrent appends', async () => {
        await Promise.all(Array.from({ length: 12 }, (_, i) => store.appendAudit(makeDraft(acc.id, { at: at(i) }))));
        const chain = await store.readAuditChain(acc.id);
        expect(chain.events.map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
        expect(checkAuditChain(chain.events, chain.head).ok).toBe(true);
      });

      it('round-trips before and after exactly', async () => {
        const before = { name: 'a', scopes: ['x:y'], nested: { n: 1.5, t: true, nil: null, s: 'ü "q"\n' } };
        const after = [1, 'two', { three: [3] }];
        const event = await store.appendAudit(makeDraft(acc.id, { action: 'token.update', before, after }));
        const absent = await store.appendAudit(makeDraft(acc.id, { before: undefined, after: null }));
        expect(event.before).toStrictEqual(before);
        expect(event.after).toStrictEqual(after);
        expect(absent.before).toBeNull();
        const chain = await store.readAuditChain(acc.id);
        expect(chain.events).toStrictEqual([event, absent]);
        expect(checkAuditChain(chain.events, chain.head).ok).toBe(true);
      });

      it('lists newest first, filtered by token (actor or target), action and inclusive time bounds', async () => {
        const drafts: Partial<AuditDraft>[] = [
          { action: 'token.create', targetId: 'tok_a', at: at(1) },
          { action: 'token.create', targetId: 'tok_b', actor: 'tok_a' as TokenId, at: at(2) },
          { action: 'token.disable', targetId: 'tok_b', at: at(3) },
          { action: 'account.update', targetType: 'account', targetId: 'tok_a', at: at(4) },
          { action: 'token.revoke', targetId: 'tok_a', actor: 'tok_b' as TokenId, at: at(5) },
          { action: 'token.create', targetId: 'tok_c', at: at(6) },
        ];
        for (const draft of drafts) await store.appendAudit(makeDraft(acc.id, draft));
        await store.appendAudit(makeDraft(other.id, { targetId: 'tok_a', at: at(3) }));

        const seqs = async (filter: Partial<Parameters<Store['listAudit']>[0]>): Promise<number[]> =>
          (await store.listAudit({ accountId: acc.id, limit: 100, ...filter })).items.map((e) => e.seq);
        expect(await seqs({})).toEqual([6, 5, 4, 3, 2, 1]);
        expect(await seqs({ tokenId: 'tok_a' })).toEqual([5, 2, 1]);
        expect(await seqs({ tokenId: 'tok_b' })).toEqual([5, 3, 2]);
        expect(await seqs({ action: 'token.create' })).toEqual([6, 2, 1]);
        expect(await seqs({ from: at(2), to: at(5) })).toEqual([5, 4, 3, 2]);
        expect(await seqs({ tokenId: 'tok_a', action: 'token.create', from: at(2) })).toEqual([2]);
        expect(await seqs({ to: at(0) })).toEqual([]);
        const [newest] = (await store.listAudit({ accountId: acc.id, limit: 1 })).items;
        expect(newest).toStrictEqual((await store.readAuditChain(acc.id)).events[5]);
      });

      it('pages newest first without duplicates or gaps and refuses invalid cursors', async () => {
        for (let i = 0; i < 11; i++) {
          await store.appendAudit(makeDraft(acc.id, { action: i % 2 === 0 ? 'token.create' : 'token.delete', at: at(i) }));
        }
        const collect = async (action?: 'token.create'): Promise<{ seqs: number[]; pages: number }> => {
          const seqs: number[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await store.listAudit({ accountId: acc.id, limit: 2, ...(action ? { action } : {}), ...(cursor ? { cursor } : {}) });
            seqs.push(...page.items.map((e) => e.seq));
            cursor = page.nextCursor ?? undefined;
            pages += 1;
          } while (cursor !== undefined && pages < 50);
          return { seqs, pages };
        };
        expect(await collect()).toEqual({ seqs: [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1], pages: 6 });
        expect(await collect('token.create')).toEqual({ seqs: [11, 9, 7, 5, 3, 1], pages: 3 });
        for (const cursor of badCursors) {
          await expectBadCursor(store.listAudit({ accountId: acc.id, limit: 2, cursor }));
        }
      });
    });

    describe('usage', () => {
      beforeEach(seedAccounts);

      it('adds counts across batches and never moves lastUsedAt backward', async () => {
        const one = makeToken(acc.id, 'tok_1', { useCount: 2, lastUsedAt: at(1) });
        const two = makeToken(acc.id, 'tok_2');
        const twin = makeToken(other.id, 'tok_1');
        await insertTokens(store, [one, two, twin]);

        await store.applyUsage([
          { accountId: acc.id, tokenId: one.id, count: 3, lastUsedAt: at(50) },
          { accountId: acc.id, tokenId: two.id, count: 1, lastUsedAt: at(10) },
          { accountId: acc.id, tokenId: 'tok_gone' as TokenId, count: 5, lastUsedAt: at(10) },
        ]);
        await store.applyUsage([
          { accountId: acc.id, tokenId: one.id, count: 4, lastUsedAt: at(40) },
          { accountId: acc.id, tokenId: one.id, count: 1, lastUsedAt: at(45) },
          { accountId: acc.id, tokenId: two.id, count: 2, lastUsedAt: at(11) },
        ]);
        await store.applyUsage([]);

        expect(await store.getToken(acc.id, one.id)).toStrictEqual({ ...one, useCount: 10, lastUsedAt: at(50) });
        expect(await store.getToken(acc.id, two.id)).toStrictEqual({ ...two, useCount: 3, lastUsedAt: at(11) });
        expect(await store.getToken(other.id, twin.id)).toStrictEqual(twin);
      });

      const event = (n: number, overrides: Partial<UsageEventRecord> = {}): UsageEventRecord => ({
        id: `use_${String(n).padStart(4, '0')}`,
        accountId: acc.id,
        tokenId: 'tok_1' as TokenId,
        at: at(n),
        kind: 'verify',
        subject: 'GET /devices/d1',
        outcome: 'VALID',
        clientIp: '192.0.2.1',
        count: n,
        ...overrides,
      });
      const minute = (n: number, count: number, overrides: Partial<UsageMinuteDelta> = {}): UsageMinuteDelta => ({
        accountId: acc.id, tokenId: 'tok_1' as TokenId, minute: at(n), outcome: 'VALID', endpoint: 'GET /devices/{id}', count, ...overrides,
      });

      it('writes counters, raw events and roll-ups of one batch together, and roll-ups add up across batches', async () => {
        const one = makeToken(acc.id, 'tok_1');
        await insertTokens(store, [one]);
        await store.writeUsage({
          counters: [{ accountId: acc.id, tokenId: one.id, count: 3, lastUsedAt: at(2) }],
          events: [event(1), event(2), event(2, { id: 'use_x', outcome: 'INSUFFICIENT_SCOPE', subject: 'tokens:read', clientIp: null })],
          minutes: [minute(1, 1), minute(2, 1), minute(2, 1), minute(2, 1, { outcome: 'INSUFFICIENT_SCOPE', endpoint: null })],
        });
        await store.writeUsage({ counters: [], events: [], minutes: [minute(2, 5), minute(61, 7)] });
        await store.writeUsage({ counters: [], events: [], minutes: [] });
        expect((await store.getToken(acc.id, one.id))?.useCount).toBe(3);

        const perMinute = await store.listUsageBuckets({ accountId: acc.id, bucket: 'minute', limit: 100 });
        expect(perMinute.items).toStrictEqual([
          { bucket: at(1), tokenId: one.id, endpoint: 'GET /devices/{id}', outcome: 'VALID', count: 1 },
          { bucket: at(2), tokenId: one.id, endpoint: null, outcome: 'INSUFFICIENT_SCOPE', count: 1 },
          { bucket: at(2), tokenId: one.id, endpoint: 'GET /devices/{id}', outcome: 'VALID', count: 7 },
          { bucket: at(61), tokenId: one.id, endpoint: 'GET /devices/{id}', outcome: 'VALID', count: 7 },
        ]);
        const perHour = await store.listUsageBuckets({ accountId: acc.id, bucket: 'hour', outcome: 'VALID', limit: 100 });
        expect(perHour.items.map((b) => [b.bucket, b.count])).toStrictEqual([[at(0), 8], [at(60), 7]]);
        const perDay = await store.listUsageBuckets({ accountId: acc.id, bucket: 'day', endpoint: 'GET /devices/{id}', tokenId: one.id, limit: 100 });
        expect(perDay.items.map((b) => [b.bucket, b.count])).toStrictEqual([[at(0), 15]]);
        const window = await store.listUsageBuckets({ accountId: acc.id, bucket: 'minute', from: at(2).replace(':00.000Z', ':30.000Z'), to: at(2), limit: 100 });
        expect(window.items.map((b) => b.count)).toStrictEqual([1, 7]);
        expect((await store.listUsageBuckets({ accountId: other.id, bucket: 'day', limit: 10 })).items).toStrictEqual([]);

        const first = await store.listUsageBuckets({ accountId: acc.id, bucket: 'minute', limit: 3 });
        expect(first.items).toHaveLength(3);
        const rest = await store.listUsageBuckets({ accountId: acc.id, bucket: 'minute', limit: 3, cursor: first.nextCursor! });
        expect(rest).toStrictEqual({ items: [perMinute.items[3]], nextCursor: null });
      });

      it('lists raw events newest first with filters and pages, and sweeps those past retention', async () => {
        const events = [event(1), event(2), event(3, { outcome: 'REVOKED' }), event(4, { tokenId: 'tok_2' as TokenId }), event(5, { accountId: other.id })];
        await store.writeUsage({ counters: [], events, minutes: [] });
        const all = await store.listUsageEvents({ accountId: acc.id, limit: 100 });
        expect(all.items.map((e) => e.id)).toStrictEqual(['use_0004', 'use_0003', 'use_0002', 'use_0001']);
        expect(all.items[3]).toStrictEqual(events[0]);
        expect((await store.listUsageEvents({ accountId: acc.id, tokenId: 'tok_1', outcome: 'VALID', limit: 10 })).items.map((e) => e.id))
          .toStrictEqual(['use_0002', 'use_0001']);
        expect((await store.listUsageEvents({ accountId: acc.id, from: at(2), to: at(3), limit: 10 })).items).toHaveLength(2);
        expect((await store.listUsageEvents({ accountId: acc.id, endpoint: 'GET /nowhere', limit: 10 })).items).toHaveLength(0);
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listUsageEvents({ accountId: acc.id, limit: 3, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((e) => e.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(seen).toStrictEqual(['use_0004', 'use_0003', 'use_0002', 'use_0001']);

        expect(await store.deleteUsageEventsBefore(at(3))).toBe(2);
        expect((await store.listUsageEvents({ accountId: acc.id, limit: 10 })).items.map((e) => e.id)).toStrictEqual(['use_0004', 'use_0003']);
      });
    });
  });
}
