/**
 * A store read that a change overtakes: the token is read for a check, its revoke commits before the check
 * answers, and the read must not be kept (else the revoked token passes from memory until the entry expires).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../store/postgres/postgres-store.js';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { freshTestDatabase } from '../../testing/test-app.js';
import type { Actor } from '../actor.js';
import { createTessera, type Tessera } from '../tessera.js';

/** The real store, with its secret lookups held after they have read until the test lets them answer. */
function holdSecretReads(store: Store) {
  let release: () => void = () => {};
  let held = new Promise<void>((resolve) => (release = resolve));
  let read: () => void = () => {};
  const hasRead = new Promise<void>((resolve) => (read = resolve));
  const gated = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'findSecret') {
        return async (...args: Parameters<Store['findSecret']>) => {
          const found = await target.findSecret(...args);
          read();
          await held;
          return found;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    store: gated,
    hasRead,
    release: () => {
      release();
      held = Promise.resolve();
    },
  };
}

describe('a check whose store read a change overtakes', () => {
  let dir: string;
  let tessera: Tessera;
  let gate: ReturnType<typeof holdSecretReads>;
  let root: Actor;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-cache-race-'));
    const db = await freshTestDatabase(dir);
    const store = db.startsWith('postgres') ? await createPostgresStore({ url: db }) : await createSqliteStore({ filename: db });
    await store.migrate();
    gate = holdSecretReads(store);
    tessera = createTessera({ store: gate.store, usageFlushIntervalMs: 3_600_000 });
    const boot = await tessera.bootstrap();
    if (!boot) throw new Error('fresh database was not bootstrapped');
    // The root token is read (and cached) before any read is held.
    const rootCheck = tessera.authenticate({ secret: boot.root.secret, scheme: 'bearer' }, '127.0.0.1');
    await gate.hasRead;
    gate.release();
    root = await rootCheck;
  });
  afterAll(async () => {
    await tessera?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers that one check from its read, and keeps nothing: the next check sees the revoke', async () => {
    const created = await tessera.createToken(root, { name: 'raced', scopes: ['tokens:read'] });
    const again = holdSecretReads(gate.store);
    const racer = createTessera({ store: again.store, usageFlushIntervalMs: 3_600_000 });
    try {
      const checking = racer.verify({ secret: created.secret });
      await again.hasRead;
      // The read has the token as it was; its revoke commits (and is heard) before the check answers.
      await racer.revokeToken(root, created.token.id);
      again.release();
      expect((await checking).code).toBe('VALID');
      expect((await racer.verify({ secret: created.secret })).code).toBe('REVOKED');
    } finally {
      await racer.close();
    }
  });
});
