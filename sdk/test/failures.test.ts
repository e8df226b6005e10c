// When something other than a healthy Tessera answers at baseUrl — a hung server, a proxy's HTML page, a JWKS
// answered with 502/503 — every failure ends in one TesseraApiError, in the client, the verifier and each example
// app (Fastify, Express, Hono) in front of real HTTP servers on 127.0.0.1. A key set without the token's key is a
// refusal (401), not an outage. No Tessera and no store are involved, so it runs once, in the unit project.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTesseraClient, createVerifier, TesseraApiError } from '@tessera/sdk';
import { startExample as startFastify } from '../../examples/sdk-fastify/app.js';
import { startExample as startExpress } from '../../examples/sdk-express/app.js';
import { startExample as startHono } from '../../examples/sdk-hono/app.js';

const TIMEOUT_MS = 300;
/** Under jose's own 5 s JWKS default (what a JWT waited before), with room for a busy 2-core machine. */
const PROMPT_MS = 4000;
const PROXY_PAGE = '<html><body><h1>Welcome to nginx!</h1></body></html>';
const UNAVAILABLE = { requestError: { serviceException: { messageId: 'SERVICE_UNAVAILABLE', text: 'the database is unavailable' } } };

type Answer = (req: IncomingMessage, res: ServerResponse) => void;
interface FakeServer { url: string; close(): Promise<void> }

/** A real HTTP server on 127.0.0.1 standing where Tessera should be. */
async function serve(answer: Answer): Promise<FakeServer> {
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const send = (status: number, type: string, body: string): Answer => (_req, res) => {
  res.writeHead(status, { 'content-type': type }).end(body);
};
/** Serves `jwks` at the JWKS path, and `other` everywhere else. */
const jwksAt = (jwks: Answer, other: Answer = send(404, 'text/plain', 'no')): Answer => (req, res) =>
  (req.url === '/.well-known/jwks.json' ? jwks : other)(req, res);

// An issued JWT as Tessera signs it (RFC 9068, EdDSA), its public key, and another key that did not sign it.
let jwt: string;
let signingJwk: JWK;
let otherJwk: JWK;
beforeAll(async () => {
  const signing = await generateKeyPair('EdDSA', { extractable: true });
  const other = await generateKeyPair('EdDSA', { extractable: true });
  signingJwk = { ...(await exportJWK(signing.publicKey)), kid: 'key-1', alg: 'EdDSA', use: 'sig' };
  otherJwk = { ...(await exportJWK(other.publicKey)), kid: 'key-2', alg: 'EdDSA', use: 'sig' };
  jwt = await new SignJWT({ scope: 'sms:logs:read', client_id: 'tok_issuer' })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'key-1' })
    .setIssuer('tessera').setAudience('acc_test').setSubject('app-user').setJti('jti_1')
    .setIssuedAt().setExpirationTime('1h')
    .sign(signing.privateKey);
});

const servers: FakeServer[] = [];
afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });
async function fake(answer: Answer): Promise<string> {
  const server = await serve(answer);
  servers.push(server);
  return server.url;
}

const hung: Answer = () => {
  // never answers: the client's time limit must end the wait
};
const htmlPage = send(200, 'text/html', PROXY_PAGE);
const opaque = 'tsr_anything';

interface Case {
  name: string;
  answer: Answer;
  token: () => string;
  expected: { code: string; status: number; body?: unknown };
}
const outages: Case[] = [
  { name: 'a hung Tessera, opaque token', answer: hung, token: () => opaque, expected: { code: 'TIMEOUT', status: 0 } },
  { name: 'a hung Tessera, JWT (JWKS fetch)', answer: hung, token: () => jwt, expected: { code: 'TIMEOUT', status: 0 } },
  { name: 'a proxy\'s HTML page, opaque token', answer: htmlPage, token: () => opaque, expected: { code: 'UNEXPECTED_RESPONSE', status: 200, body: PROXY_PAGE } },
  { name: 'a proxy\'s HTML page, JWT', answer: htmlPage, token: () => jwt, expected: { code: 'UNEXPECTED_RESPONSE', status: 200, body: PROXY_PAGE } },
  { name: 'a JWKS answered 502 by a proxy', answer: jwksAt(send(502, 'text/html', '<h1>502 Bad Gateway</h1>')), token: () => jwt, expected: { code: 'UNEXPECTED_RESPONSE', status: 502, body: '<h1>502 Bad Gateway</h1>' } },
  { name: 'a JWKS answered 503 by Tessera', answer: jwksAt(send(503, 'application/json', JSON.stringify(UNAVAILABLE))), token: () => jwt, expected: { code: 'SERVICE_UNAVAILABLE', status: 503, body: UNAVAILABLE } },
  { name: 'a JWKS that is JSON but no key set', answer: jwksAt(send(200, 'application/json', '{"ok":true}')), token: () => jwt, expected: { code: 'UNEXPECTED_RESPONSE', status: 200, body: { ok: true } } },
];
const scopes = { kind: 'scopes', scopes: ['sms:logs:read'] } as const;

describe('createVerifier: outages reject with TesseraApiError, promptly', () => {
  it.each(outages)('$name → $expected.code', async ({ answer, token, expected }) => {
    const verifier = createVerifier({ baseUrl: await fake(answer), timeoutMs: TIMEOUT_MS, cacheTtlMs: 0 });
    const started = performance.now();
    const error = await verifier.verify(token(), scopes).then(() => undefined, (e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(PROMPT_MS);
    expect(error).toBeInstanceOf(TesseraApiError);
    expect(error).toMatchObject(expected);
  });

  it('a 2xx JSON answer that is not a verify result is UNEXPECTED_RESPONSE, not a refusal', async () => {
    const verifier = createVerifier({ baseUrl: await fake(send(200, 'application/json', '{"status":"ok"}')), cacheTtlMs: 0 });
    await expect(verifier.verify(opaque, scopes)).rejects.toMatchObject({ name: 'TesseraApiError', code: 'UNEXPECTED_RESPONSE', status: 200, body: { status: 'ok' } });
  });

  it('a key set without the token\'s key is a refusal, and the right key set verifies it', async () => {
    const without = createVerifier({ baseUrl: await fake(jwksAt(send(200, 'application/json', JSON.stringify({ keys: [otherJwk] })))) });
    expect(await without.verify(jwt, scopes)).toEqual({ ok: false, code: 'NOT_FOUND', missingScopes: [] });
    const right = createVerifier({ baseUrl: await fake(jwksAt(send(200, 'application/json', JSON.stringify({ keys: [signingJwk] })))) });
    expect(await right.verify(jwt, scopes)).toMatchObject({ ok: true, identity: { tokenId: 'tok_issuer', profileId: 'app-user', via: 'jwt' } });
  });
});

describe('createTesseraClient: a 2xx answer that is not JSON', () => {
  it('throws TesseraApiError UNEXPECTED_RESPONSE with the status, headers and text', async () => {
    const client = createTesseraClient({ baseUrl: await fake(htmlPage) });
    const error = await client.GET('/healthz', {}).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraApiError);
    expect(error).toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 200, body: PROXY_PAGE });
    expect((error as TesseraApiError).headers.get('content-type')).toBe('text/html');
  });

  it('still resolves a 2xx without a body (205) with no data', async () => {
    const client = createTesseraClient({ baseUrl: await fake((_req, res) => { res.writeHead(205).end(); }) });
    const { data, response } = await client.GET('/healthz', {});
    expect([data, response.status]).toEqual([undefined, 205]);
  });

  it('throws TIMEOUT when the answer\'s body never finishes', async () => {
    const stalled: Answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).write('{"status":');
    };
    const client = createTesseraClient({ baseUrl: await fake(stalled) });
    await expect(client.GET('/healthz', { signal: AbortSignal.timeout(TIMEOUT_MS) })).rejects.toMatchObject({ name: 'TesseraApiError', code: 'TIMEOUT', status: 0 });
  });

  it('timeoutMs ends every call of the client that gets no complete answer in time, with TIMEOUT', async () => {
    const stalled: Answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).write('{"status":');
    };
    for (const answer of [hung, stalled]) {
      const client = createTesseraClient({ baseUrl: await fake(answer), timeoutMs: TIMEOUT_MS });
      const started = performance.now();
      await expect(client.GET('/healthz', {})).rejects.toMatchObject({ name: 'TesseraApiError', code: 'TIMEOUT', status: 0 });
      expect(performance.now() - started).toBeLessThan(PROMPT_MS);
    }
  });
});

type Example = { url: string; close: () => Promise<unknown> };
const frameworks: [string, (options: Parameters<typeof startFastify>[0]) => Promise<Example>][] = [
  ['fastify', startFastify],
  ['express', startExpress],
  ['hono', startHono],
];

describe.each(frameworks)('%s example app in front of a failing Tessera', (_name, start) => {
  const examples: Example[] = [];
  afterAll(async () => { await Promise.all(examples.map((e) => e.close())); });
  async function appBefore(answer: Answer): Promise<string> {
    const app = await start({ baseUrl: await fake(answer), timeoutMs: TIMEOUT_MS, cacheTtlMs: 0 });
    examples.push(app);
    return app.url;
  }
  const get = (url: string, token: string) =>
    fetch(`${url}/sms/1/logs`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });

  it.each(outages)('$name: the TesseraApiError ($expected.code) reaches the error handler → 503', async ({ answer, token, expected }) => {
    const url = await appBefore(answer);
    const started = performance.now();
    const res = await get(url, token());
    expect(performance.now() - started).toBeLessThan(PROMPT_MS);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      requestError: { serviceException: { messageId: 'SERVICE_UNAVAILABLE', text: `token verification is unavailable (${expected.code})` } },
    });
  });

  it('a key set without the token\'s key: 401 invalid_token; with it: 200', async () => {
    const without = await get(await appBefore(jwksAt(send(200, 'application/json', JSON.stringify({ keys: [otherJwk] })))), jwt);
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).toBe('Bearer realm="tessera", error="invalid_token"');
    const right = await get(await appBefore(jwksAt(send(200, 'application/json', JSON.stringify({ keys: [signingJwk] })))), jwt);
    expect(right.status).toBe(200);
    expect(((await right.json()) as { caller: unknown }).caller).toMatchObject({ tokenId: 'tok_issuer', via: 'jwt' });
  });
});

describe('TesseraApiError across copies of the SDK', () => {
  it('instanceof holds for an error made by another copy (the branded registry symbol), not for other errors', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('@tessera/sdk.TesseraApiError')]: true });
    expect(foreign).toBeInstanceOf(TesseraApiError);
    expect(new Error('x')).not.toBeInstanceOf(TesseraApiError);
    const nothing: unknown = null;
    expect(nothing instanceof TesseraApiError).toBe(false);
  });
});
