/**
 * Stopping the built server as an orchestrator does (SIGTERM, SIGINT): /readyz fails first, a request in flight
 * still completes, usage counted before the signal is in the database afterwards, and the process exits 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { freshTestDatabase, rawQuery } from '../testing/test-app.js';

const SLOW = { timeout: 120_000 };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(env: NodeJS.ProcessEnv): Promise<{ server: ServerProcess; db: string; root: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-shutdown-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const db = await freshTestDatabase(dir);
  const server = await startServerProcess(db, { LOG_LEVEL: 'info', TESSERA_USAGE_WINDOW_SECONDS: '60', ...env });
  cleanups.push(() => server.stop('SIGKILL'));
  return { server, db, root: /^\s+(tsr_\w+)$/m.exec(server.stderr())![1]! };
}

const exitOf = (server: ServerProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) resolve({ code: server.child.exitCode, signal: server.child.signalCode });
    else server.child.once('exit', (code, signal) => resolve({ code, signal }));
  });

/** A POST whose body is only half sent: the request stays in flight until `finish()`. */
function slowPost(url: string, token: string, body: string): { req: ClientRequest; finish(): void; response: Promise<{ status: number; body: string }> } {
  const req = httpRequest(`${url}/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  return { req, finish: () => req.end(body.slice(half)), response };
}

const post = (url: string, path: string, token: string, body: unknown) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });

describe('SIGTERM', SLOW, () => {
  it('fails /readyz first, completes the request in flight, writes pending usage, exits 0', async () => {
    // A usage window of 60 s: the checks below are still pending in memory when the signal comes.
    const { server, db, root } = await serve({ TESSERA_SHUTDOWN_DELAY_SECONDS: '2', TESSERA_SHUTDOWN_GRACE_SECONDS: '20' });
    const created = (await (await post(server.url, '/v1/tokens', root, { name: 'counted', scopes: ['tokens:read'] })).json()) as { token: { id: string }; secret: string };
    for (let i = 0; i < 3; i++) expect((await post(server.url, '/v1/verify', root, { token: created.secret })).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    const inFlight = slowPost(server.url, root, JSON.stringify({ name: 'in-flight', scopes: ['tokens:read'] }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const exited = exitOf(server);
    server.child.kill('SIGTERM');
    // During the delay: not ready, still alive and serving.
    await expect.poll(async () => (await fetch(`${server.url}/readyz`)).status, { timeout: 1500, interval: 50 }).toBe(503);
    const readyz = await fetch(`${server.url}/readyz`);
    expect(((await readyz.json()) as { requestError: { serviceException: { messageId: string } } }).requestError.serviceException.messageId).toBe('SERVICE_UNAVAILABLE');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 2500));
    // Past the delay the listener is closed: new connections are refused…
    await expect(fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    // …but the request that was in flight completes.
    inFlight.finish();
    const answer = await inFlight.response;
    expect(answer.status, answer.body).toBe(201);

    expect(await exited).toEqual({ code: 0, signal: null });
    const [row] = await rawQuery<{ use_count: number }>(db, 'select use_count from tokens where id = $1', [created.token.id]);
    expect(Number(row!.use_count)).toBe(3);
    const [events] = await rawQuery<{ n: number }>(db, 'select count(*) as n from usage_events where token_id = $1', [created.token.id]);
    expect(Number(events!.n)).toBeGreaterThan(0);
    const names = await rawQuery<{ name: string }>(db, 'select name from tokens order by name');
    expect(names.map((r) => r.name)).toContain('in-flight');
  });

  it('cuts a request that outlives the grace period, and still exits 0 with usage written', async () => {
    const { server, db, root } = await serve({ TESSERA_SHUTDOWN_GRACE_SECONDS: '1' });
    const created = (await (await post(server.url, '/v1/tokens', root, { name: 'counted', scopes: ['tokens:read'] })).json()) as { token: { id: string }; secret: string };
    expect((await post(server.url, '/v1/verify', root, { token: created.secret })).status).toBe(200);
    const stuck = slowPost(server.url, root, JSON.stringify({ name: 'never-finished', scopes: ['tokens:read'] }));
    stuck.response.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const exited = exitOf(server);
    server.child.kill('SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(15_000);
    await expect(stuck.response).rejects.toThrow();
    const [row] = await rawQuery<{ use_count: number }>(db, 'select use_count from tokens where id = $1', [created.token.id]);
    expect(Number(row!.use_count)).toBe(1);
    expect(server.stdout()).toContain('shutdown grace period over');
  });
});
