/** Cache invalidation across instances: one dedicated connection LISTENing on the channel writers NOTIFY. */
import pg from 'pg';
import type { ChangeFeed, ChangeHandlers } from '../change-feed.js';
import type { SecretHash } from '../../core/types.js';
import type { StoreChange } from '../store.js';
import { CHANGE_CHANNEL } from './postgres-hooks.js';

export interface PostgresChangeFeedOptions {
  url: string;
  /** Epoch ms, for measuring how long the feed has been down. */
  now?: () => number;
  /** First reconnect delay; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

const CONNECT_TIMEOUT_MS = 5000;

function parseChange(payload: string | undefined): StoreChange | undefined {
  try {
    const value = JSON.parse(payload ?? '') as Partial<Record<string, unknown>>;
    if (typeof value.accountId !== 'string') return undefined;
    if (typeof value.tokenId === 'string') {
      const change = { accountId: value.accountId, tokenId: value.tokenId } as StoreChange & { tokenId: string };
      return typeof value.secretHash === 'string' ? { ...change, secretHash: value.secretHash as SecretHash } : change;
    }
    if (value.kind === 'account' || value.kind === 'catalog') return value as StoreChange;
    if (value.kind === 'identity' && typeof value.identityId === 'string') return value as StoreChange;
  } catch {
    // A payload we did not write: ignored below.
  }
  return undefined;
}

export function createPostgresChangeFeed(options: PostgresChangeFeedOptions): ChangeFeed {
  const now = options.now ?? Date.now;
  const baseRetry = options.retryMs ?? 200;
  const maxRetry = options.maxRetryMs ?? 2000;
  let handlers: ChangeHandlers | undefined;
  let client: pg.Client | undefined;
  /** When the feed stopped hearing changes; it has not heard any before its first connection either. */
  let disconnectedSince: number | null = now();
  let retryDelay = baseRetry;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const lost = (failed: pg.Client) => {
    if (client !== failed) return;
    client = undefined;
    failed.removeAllListeners();
    failed.on('error', () => undefined);
    void failed.end().catch(() => undefined);
    // From now on changes are not heard: `cacheTrusted` limits what may still be served from memory (the
    // configured staleness bound), and the reconnect drops everything, since changes may have been missed.
    if (disconnectedSince === null) disconnectedSince = now();
    schedule();
  };

  const schedule = () => {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryDelay);
    retryTimer.unref();
    retryDelay = Math.min(retryDelay * 2, maxRetry);
  };

  const connect = async (): Promise<void> => {
    if (closed) return;
    const next = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
    next.on('error', () => lost(next));
    next.on('end', () => lost(next));
    next.on('notification', (message) => {
      const change = parseChange(message.payload);
      if (change) handlers?.onChange(change);
    });
    client = next;
    try {
      await next.connect();
      await next.query(`listen ${CHANGE_CHANNEL}`);
      if (closed) {
        await next.end();
        return;
      }
      // Changes made while we were not listening were missed: start again from the database.
      handlers?.onReset();
      disconnectedSince = null;
      retryDelay = baseRetry;
    } catch {
      lost(next);
    }
  };

  return {
    async start(h) {
      handlers = h;
      await connect();
    },
    cacheTrusted(staleMs) {
      return disconnectedSince === null || now() - disconnectedSince < staleMs;
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners();
        current.on('error', () => undefined);
        await current.end().catch(() => undefined);
      }
    },
  };
}
