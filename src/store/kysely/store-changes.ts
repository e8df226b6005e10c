/**
 * The store's own change events: each committed change, told to this process's listeners (the service's caches)
 * and, through the dialect's `notifyChanges`, to other instances sharing the database. One source for both, so a
 * change reaches every cache the same way wherever it was made.
 */
import type { StoreChange } from '../store.js';
import type { Db } from './db-helpers.js';
import type { DialectHooks } from './dialect-hooks.js';

export type ChangeListener = (change: StoreChange) => void;

export class StoreChanges {
  private readonly listeners = new Set<ChangeListener>();
  /** The changes of each open transaction: told when it commits, dropped if it rolls back. */
  private readonly pending = new WeakMap<Db, StoreChange[]>();

  constructor(private readonly hooks: Pick<DialectHooks, 'notifyChanges'>) {}

  /** Hears every change this store commits from now on; returns the way to stop. */
  listen(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records changes made on `db`: told at once outside a transaction, at commit inside one. */
  async notify(db: Db, ...changes: StoreChange[]): Promise<void> {
    await this.hooks.notifyChanges(db, changes);
    if (!db.isTransaction) return this.tell(changes);
    const list = this.pending.get(db);
    if (list) list.push(...changes);
    else this.pending.set(db, changes);
  }

  /** Runs `fn` in the caller's transaction if there is one, else in a new one whose changes are told when it commits. */
  async transaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
    if (db.isTransaction) return fn(db);
    let opened: Db | undefined;
    const result = await db.transaction().execute((trx) => {
      opened = trx;
      return fn(trx);
    });
    const changes = opened && this.pending.get(opened);
    if (changes) this.tell(changes);
    return result;
  }

  private tell(changes: readonly StoreChange[]): void {
    for (const change of changes) for (const listener of this.listeners) listener(change);
  }
}
