/**
 * How an instance hears about changes other instances made to the shared database, so it can drop cached
 * copies. PostgreSQL: LISTEN/NOTIFY (see postgres/postgres-change-feed.ts). SQLite: one process owns the
 * file and invalidates its own caches, so there is nothing to hear.
 */
import type { StoreChange } from './store.js';

export interface ChangeHandlers {
  onChange(change: StoreChange): void;
  /** Changes may have been missed (the connection dropped, or came back): drop every cached copy. */
  onReset(): void;
}

export interface ChangeFeed {
  /** Begins listening; resolves once the first connection is up or has failed (it then keeps retrying). */
  start(handlers: ChangeHandlers): Promise<void>;
  /**
   * Whether cached copies may still be served: always while changes are being heard; after the feed lost
   * its connection, only for `staleMs` (0: not at all, so the caller reads the database or fails closed).
   */
  cacheTrusted(staleMs: number): boolean;
  close(): Promise<void>;
}

/** The single-instance feed: always connected, never hears anything. */
export function createLocalChangeFeed(): ChangeFeed {
  return {
    start: () => Promise.resolve(),
    cacheTrusted: () => true,
    close: () => Promise.resolve(),
  };
}
