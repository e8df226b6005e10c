/**
 * No secret in any log line, ever: secrets and JWTs sent by mistake through every route's path, query and
 * headers, and into error messages, never reach the log output, at the most verbose level.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../core/token-format.js';
import { createLogger } from '../runtime/start-server.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

const lines: string[] = [];
let t: TestApp;
let credentials: string[];

const random = (n: number) => randomBytes(n);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

beforeAll(async () => {
  t = await startTestApp({ logger: createLogger('trace', { write: (line: string) => void lines.push(line) }) });
  const other = await t.createToken({ name: 'other', scopes: ['tokens:read', 'tokens:issue'] });
  const issued = await t.request('POST', '/v1/auth/issue-token', { token: other.secret, body: { scope: 'tokens:read' } });
  const badChecksum = other.secret.slice(0, -1) + (other.secret.endsWith('a') ? 'b' : 'a');
  credentials = [
    t.rootSecret,
    other.secret,
    badChecksum,
    generateSecret('acme', random), // another account's prefix
    generateSecret('x9z8y7w6v5u4t3s2', random), // the longest prefix
    issued.body.token as string,
    `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'someone', exp: 2e9 })}.${randomBytes(32).toString('base64url')}`,
    `${b64url({ alg: 'none' })}.${b64url({ sub: 'x' })}.`,
  ];
});
afterAll(async () => t.close());

/** What must not appear: each credential whole, and the part of it that carries its randomness. */
function assertNoCredentialLogged(): void {
  const output = lines.join('');
  expect(lines.length).toBeGreaterThan(0);
  for (const credential of credentials) {
    const random = credential.includes('.') ? credential.split('.').filter(Boolean).at(-1)! : credential.slice(-64);
    expect(output.includes(credential), `credential ${credential.slice(0, 6)}… logged`).toBe(false);
    expect(output.includes(random), `randomness of ${credential.slice(0, 6)}… logged`).toBe(false);
  }
}

/** `/v1/tokens/:id/rotate` → `/v1/tokens/<value>/rotate`; a wildcard takes the value too. */
function fill(url: string, value: string): string {
  return url.replace(/:[A-Za-z_]+/g, encodeURIComponent(value)).replace(/\*$/, value);
}

describe('log redaction', () => {
  it('covers every registered route: secrets and JWTs in path, query and headers never reach the log', async () => {
    const routes = t.routes.filter((r) => r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(40);
    for (const route of routes) {
      for (const [i, credential] of credentials.entries()) {
        const other = credentials[(i + 1) % credentials.length]!;
        const path = fill(route.url, credential);
        const query = `?tokenId=${credential}&access_token=${other}&q=${encodeURIComponent(`see ${credential} here`)}&cursor=${credential}`;
        const headers: Record<string, string> = {
          authorization: `Bearer ${credential}`,
          'x-original-uri': `/api/${credential}?x=${other}`,
          'x-forwarded-uri': `/api/${other}`,
          'x-original-method': 'GET',
          'if-match': credential,
          referer: `https://example.com/?token=${credential}`,
          'user-agent': `curl ${other}`,
          cookie: `session=${credential}`,
        };
        const body = ['GET', 'DELETE'].includes(route.method) ? undefined : JSON.stringify({ token: credential, id: credential, name: other });
        const res = await fetch(t.baseUrl + path + query, {
          method: route.method,
          headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body }),
          redirect: 'manual',
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        const apiKey = await fetch(t.baseUrl + path, { method: route.method === 'GET' ? 'GET' : 'DELETE', headers: { 'x-api-key': credential }, redirect: 'manual' });
        await apiKey.arrayBuffer();
      }
    }
    assertNoCredentialLogged();
  });

  it('errors raised before a route, and unexpected errors whose message holds a secret, are redacted too', async () => {
    for (const credential of credentials) {
      // Over maxParamLength (414) and not decodable (400): Fastify logs these URLs itself.
      await (await fetch(`${t.baseUrl}/v1/tokens/${credential}${'x'.repeat(100)}`)).arrayBuffer();
      await (await fetch(`${t.baseUrl}/v1/tokens/${credential}%E0%A4%A`)).arrayBuffer();
      await (await fetch(`${t.baseUrl}/console/tokens/${credential}`, { redirect: 'manual' })).arrayBuffer();
      await (await fetch(`${t.baseUrl}/v1/usage/events?tokenId=${credential}`, { headers: { authorization: `Bearer ${t.rootSecret}` } })).arrayBuffer();
    }
    const listTokens = t.tessera.ctx.store.listTokens;
    t.tessera.ctx.store.listTokens = async () => {
      throw new Error(`lookup failed for ${credentials.join(' and ')}`);
    };
    try {
      const res = await t.request('GET', '/v1/tokens', { token: t.rootSecret });
      expect(res.status).toBe(500);
    } finally {
      t.tessera.ctx.store.listTokens = listTokens;
    }
    expect(lines.join('')).toContain('lookup failed for [REDACTED]');
    assertNoCredentialLogged();
  });
});
