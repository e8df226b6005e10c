/**
 * Two service instances on one PostgreSQL database: a catalog change, a revoke and a disable made on one reach
 * the caches of both the same way, through the store's change events (issue 16).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresChangeFeed } from '../../store/postgres/postgres-change-feed.js';
import { createPostgresStore } from '../../store/postgres/postgres-store.js';
import { testPostgres } from '../../testing/test-app.js';
import { currentTestStore } from '../../testing/test-stores.js';
import type { Actor } from '../actor.js';
import { createTessera, type Tessera } from '../tessera.js';

/** v1: `tenants:read` includes every tenant's read; v2 no longer does (the operator narrowed it). */
const catalog = (includes: boolean) => `
version: 1
name: two-instances
scopes:
  - scope: tenants:read
${includes ? '    includes: ["tenant:*:read"]\n' : ''}  - scope: "tenant:{tenant_id}:read"
`;

const TENANT_READ = ['tenant:t1:read'];

describe.skipIf(currentTestStore() !== 'postgres')('two instances on one PostgreSQL database hear the same changes', { timeout: 60_000 }, () => {
  let a: Tessera;
  let b: Tessera;
  let root: Actor;

  async function instance(url: string): Promise<Tessera> {
    const store = await createPostgresStore({ url });
    await store.migrate();
    const tessera = createTessera({ store, changeFeed: createPostgresChangeFeed({ url }), usageFlushIntervalMs: 3_600_000 });
    await tessera.listenForChanges();
    return tessera;
  }

  beforeAll(async () => {
    const url = await (await testPostgres()).createDatabase();
    a = await instance(url);
    const boot = await a.bootstrap();
    if (!boot) throw new Error('fresh database was not bootstrapped');
    b = await instance(url);
    root = await a.authenticate({ secret: boot.root.secret, scheme: 'bearer' }, '127.0.0.1');
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  /** Polls until `check` holds on the instance (the other instance hears a change within milliseconds). */
  async function eventually(check: () => Promise<boolean>): Promise<void> {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > 5000) throw new Error('the change never reached this instance');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const codeOn = async (instance: Tessera, secret: string, scopes?: string[]) => (await instance.verify({ secret, ...(scopes ? { scopes } : {}) })).code;

  it('a catalog that narrows a scope narrows it for tokens and issued JWTs made before, on both instances', async () => {
    await a.applyCatalog(root, { source: catalog(true), format: 'yaml' });
    const issuer = await a.createToken(root, { name: 'issuer', scopes: ['tenants:read', 'tokens:issue'] });
    const issuerActor = await a.authenticate({ secret: issuer.secret, scheme: 'bearer' }, '127.0.0.1');
    const jwt = (await a.issueToken(issuerActor, { scope: 'tenants:read' })).token;
    for (const instance of [a, b]) {
      // Cached on both: the opaque token, its issued JWT, and their prepared permissions.
      expect(await codeOn(instance, issuer.secret, TENANT_READ)).toBe('VALID');
      expect(await codeOn(instance, jwt, TENANT_READ)).toBe('VALID');
    }

    await a.applyCatalog(root, { source: catalog(false), format: 'yaml' });
    for (const instance of [a, b]) {
      await eventually(async () => (await codeOn(instance, issuer.secret, TENANT_READ)) === 'INSUFFICIENT_SCOPE');
      expect(await codeOn(instance, jwt, TENANT_READ)).toBe('INSUFFICIENT_SCOPE');
      expect(await codeOn(instance, jwt, ['tenants:read'])).toBe('VALID');
    }
  });

  it('a revoke and a disable made on one instance refuse the token and its JWTs on both', async () => {
    const revoked = await a.createToken(root, { name: 'revoked', scopes: ['tokens:issue'] });
    const disabled = await a.createToken(root, { name: 'disabled', scopes: ['tokens:issue'] });
    const jwts = new Map<string, string>();
    for (const created of [revoked, disabled]) {
      const actor = await a.authenticate({ secret: created.secret, scheme: 'bearer' }, '127.0.0.1');
      jwts.set(created.secret, (await a.issueToken(actor, { scope: 'tokens:issue' })).token);
      for (const instance of [a, b]) {
        expect(await codeOn(instance, created.secret)).toBe('VALID');
        expect(await codeOn(instance, jwts.get(created.secret)!)).toBe('VALID');
      }
    }

    await b.revokeToken(root, revoked.token.id);
    await b.setTokenEnabled(root, disabled.token.id, false);
    for (const instance of [b, a]) {
      await eventually(async () => (await codeOn(instance, revoked.secret)) === 'REVOKED');
      expect(await codeOn(instance, jwts.get(revoked.secret)!)).toBe('REVOKED');
      await eventually(async () => (await codeOn(instance, disabled.secret)) === 'DISABLED');
      expect(await codeOn(instance, jwts.get(disabled.secret)!)).toBe('DISABLED');
    }
  });
});
