import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseArgs, runCli, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { testPostgres } from '../testing/test-app.js';
import { currentTestStore } from '../testing/test-stores.js';

let dir: string;
let socket: string;
let server: ServerProcess;
let root: string;

/** One HTTP request over the Unix socket. */
function overSocket(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: any }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      { socketPath: socket, method, path, headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) }, timeout: 5000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-socket-'));
  socket = join(dir, 'tessera.sock');
  const db = currentTestStore() === 'postgres' ? await (await testPostgres()).createDatabase() : join(dir, 'tessera.db');
  const target = databaseArgs(db);
  const init = await runCli(['init', '--json', ...target.args], target.env);
  expect(init.code, init.stderr).toBe(0);
  root = JSON.parse(init.stdout).secret;
  // A socket file left by a process that is gone is replaced.
  writeFileSync(join(dir, 'not-a-socket'), '');
  server = await startServerProcess(db, { TESSERA_SOCKET: socket, TESSERA_TRUSTED_PROXIES: 'unix', LOG_LEVEL: 'warn' });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('TESSERA_SOCKET', () => {
  it('serves the same API on a Unix socket beside TCP, the file readable and writable by owner and group only', async () => {
    expect(statSync(socket).isSocket()).toBe(true);
    expect(statSync(socket).mode & 0o777).toBe(0o660);
    expect((await overSocket('GET', '/healthz')).status).toBe(200);
    const made = await overSocket('POST', '/v1/tokens', { authorization: `Bearer ${root}` }, { name: 'via socket', scopes: ['tokens:read'] });
    expect(made.status).toBe(201);
    const viaTcp = await fetch(`${server.url}/v1/verify`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: made.body.secret, scopes: ['tokens:read'] }),
    });
    expect(((await viaTcp.json()) as { code: string }).code).toBe('VALID');
    // Errors come in the one envelope over the socket too.
    const refused = await overSocket('GET', '/v1/tokens');
    expect(refused.status).toBe(401);
    expect(refused.body.requestError.serviceException.messageId).toBe('UNAUTHORIZED');
  });

  it('believes X-Real-IP from the socket only because TESSERA_TRUSTED_PROXIES names unix', async () => {
    const catalog = [
      'version: 1', 'name: socket',
      'services: [{ id: things, name: Things, groups: [{ id: things, name: Things, permissions: [things:read] }] }]',
      'scopes: [{ scope: things:read, description: Read things. }]',
      'endpoints: [{ endpoint: GET /things, scopes: [things:read] }]',
    ].join('\n');
    const applied = await overSocket("PUT", "/v1/catalog", { authorization: `Bearer ${root}` }, { source: catalog, format: "yaml" });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    const limited = await overSocket('POST', '/v1/tokens', { authorization: `Bearer ${root}` }, { name: 'office only', scopes: ['things:read'], allowedIps: ['192.0.2.0/24'] });
    expect(limited.status).toBe(201);
    const authorize = (realIp?: string) =>
      overSocket('GET', '/v1/authorize', {
        authorization: `Bearer ${limited.body.secret}`, 'x-original-method': 'GET', 'x-original-uri': '/things', ...(realIp ? { 'x-real-ip': realIp } : {}),
      });
    expect((await authorize('192.0.2.7')).status).toBe(200);
    expect((await authorize('198.51.100.7')).status).toBe(401);
    // Without a forwarded address the peer is the socket, which is no IP: a token limited to IPs fails closed.
    expect((await authorize()).status).toBe(401);
  });

  it('refuses a path that is not a socket, and a socket another server is listening on', async () => {
    const db = join(dir, 'other.db');
    const target = databaseArgs(db);
    expect((await runCli(['init', '--json', ...target.args], target.env)).code).toBe(0);
    await expect(startServerProcess(db, { TESSERA_SOCKET: join(dir, 'not-a-socket') })).rejects.toThrow(/not a socket/);
    await expect(startServerProcess(db, { TESSERA_SOCKET: socket })).rejects.toThrow(/another process is listening/);
  });
});
