/**
 * Durability tests of the built server (usage, credits, rate-limit windows): a fresh database served as shipped, and
 * clients checking without pause until the server is stopped or killed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call } from './acknowledged-writes.js';
import { initDatabase, startServerProcess, type ServerProcess } from './server-process.js';
import { freshTestDatabase } from './test-app.js';

/** What a test undoes after it, last first. */
export type Cleanups = (() => Promise<void> | void)[];

/** `tessera init` on a fresh database of the backend under test, and `tessera serve` on it (both undone after). */
export async function serveFresh(prefix: string, cleanups: Cleanups): Promise<{ server: ServerProcess; db: string; root: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const db = await freshTestDatabase(dir);
  const root = await initDatabase(db);
  const server = await startServerProcess(db);
  cleanups.push(() => server.stop('SIGKILL'));
  return { server, db, root };
}

/** One JSON call, answered within 10 s (acknowledged-writes.ts). */
export const send = (url: string, method: string, path: string, token: string | undefined, body?: unknown) => call(url, method, path, token, body, 10_000);

/**
 * Four clients verify round and round (`next` gives each check's body) until `stop()`; each VALID answer is remembered
 * with the time it arrived. Another code is a failure, and so is a network error while running: once `stop()` is
 * called, a check cut by the signal is not one (only acknowledged checks must be kept).
 */
export function verifyContinuously(url: string, next: () => unknown) {
  const answeredAt: number[] = [];
  const failures: string[] = [];
  let running = true;
  const client = async () => {
    while (running) {
      try {
        const { body } = (await send(url, 'POST', '/v1/verify', undefined, next())) as { body: { code?: string } };
        if (body.code === 'VALID') answeredAt.push(Date.now());
        else failures.push(String(body.code));
      } catch (error) {
        if (running) failures.push(String(error));
        return;
      }
    }
  };
  const clients = Array.from({ length: 4 }, client);
  return {
    answeredAt,
    failures,
    stop: async () => {
      running = false;
      await Promise.all(clients);
    },
  };
}
