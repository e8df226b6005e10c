/**
 * Traefik's forwardAuth contract, straight over HTTP (Traefik is not installable here): the built server started
 * with TESSERA_GATEWAY=traefik gets what Traefik sends for a client's call (examples/traefik/dynamic.yml), with and
 * without authRequestHeaders, plus everything a client could forge.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgedHeaders } from '../testing/gateway-process.js';
import { databaseArgs, runCli, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { freshTestDatabase } from '../testing/test-app.js';

const messaging = readFileSync(new URL('../../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');

let dir: string;
let db: string;
let server: ServerProcess;
let root: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-traefik-'));
  db = await freshTestDatabase(dir);
  const target = databaseArgs(db);
  const init = await runCli(['init', '--json', ...target.args], target.env);
  expect(init.code, init.stderr).toBe(0);
  root = JSON.parse(init.stdout).secret;
  // Traefik reaches Tessera from 127.0.0.1 here.
  server = await startServerProcess(db, { TESSERA_GATEWAY: 'traefik', TESSERA_TRUSTED_PROXIES: '127.0.0.1', LOG_LEVEL: 'warn' });
  const applied = await api('PUT', '/v1/catalog', { source: messaging, format: 'yaml' });
  expect(applied.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function api(method: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.json() };
}

const token = async (body: Record<string, unknown>) => (await api('POST', '/v1/tokens', { name: 't', ...body })).body.secret as string;

/**
 * What Traefik sends to the forwardAuth address for a client's `method` `uri` from `client`: the client's headers
 * (all of them, or only authRequestHeaders), then its own X-Forwarded-* (trustForwardHeader false: replacing the
 * client's).
 */
function traefikCheck(method: string, uri: string, client: string, clientHeaders: Record<string, string>, authRequestHeaders?: string[]) {
  const copied = authRequestHeaders === undefined ? clientHeaders : Object.fromEntries(Object.entries(clientHeaders).filter(([name]) => authRequestHeaders.includes(name)));
  return {
    ...copied,
    'x-forwarded-method': method,
    'x-forwarded-proto': 'http',
    'x-forwarded-host': 'api.example.com',
    'x-forwarded-uri': uri,
    'x-forwarded-for': client,
  };
}

const authorize = async (headers: Record<string, string>, path = '/v1/authorize') =>
  (await fetch(`${server.url}${path}`, { headers, signal: AbortSignal.timeout(10_000) })).status;

describe('Traefik forwardAuth (TESSERA_GATEWAY=traefik)', () => {
  it.each([
    ['every client header copied (no authRequestHeaders)', undefined],
    ['authRequestHeaders [Authorization, X-Api-Key], as in the example', ['authorization', 'x-api-key']],
  ])('%s: a forged call never chooses what is checked', async (_name, allowed) => {
    const reader = await token({ scopes: ['numbers:read'] });
    const client = { authorization: `Bearer ${reader}`, ...forgedHeaders('GET', '/numbers/1/numbers', '10.1.1.1') };
    for (const path of ['/v1/authorize', '/v1/authorize/traefik']) {
      expect(await authorize(traefikCheck('DELETE', '/numbers/1/numbers/41', '203.0.113.7', client, allowed), path)).toBe(403);
      expect(await authorize(traefikCheck('GET', '/numbers/1/numbers', '203.0.113.7', client, allowed), path)).toBe(200);
    }
  });

  it('reads the client address from the hop Traefik wrote, never from X-Real-IP or hops a client wrote', async () => {
    const office = await token({ scopes: ['numbers:read'], allowedIps: ['10.0.0.0/8'] });
    const client = { authorization: `Bearer ${office}`, 'x-real-ip': '10.1.1.1' };
    expect(await authorize(traefikCheck('GET', '/numbers/1/numbers', '203.0.113.7', client))).toBe(401);
    // trustForwardHeader true: Traefik appends its hop to what the client sent; the rightmost is still Traefik's.
    expect(await authorize(traefikCheck('GET', '/numbers/1/numbers', '10.1.1.1, 203.0.113.7', client))).toBe(401);
    expect(await authorize(traefikCheck('GET', '/numbers/1/numbers', '10.9.9.9', client))).toBe(200);
  });

  it('takes nginx’s headers only on the path that names nginx', async () => {
    const reader = await token({ scopes: ['numbers:read'] });
    const nginx = { authorization: `Bearer ${reader}`, 'x-original-method': 'GET', 'x-original-uri': '/numbers/1/numbers' };
    expect(await authorize(nginx)).toBe(400);
    expect(await authorize(nginx, '/v1/authorize/nginx')).toBe(200);
  });

  it('refuses to start with a gateway kind it does not know, naming TESSERA_GATEWAY', async () => {
    await expect(startServerProcess(db, { TESSERA_GATEWAY: 'envoy' })).rejects.toThrow(/TESSERA_GATEWAY: expected one of nginx, traefik, caddy, got envoy/);
  });
});
