/**
 * Raw-socket fuzzing of the gateway connection reader (issue 14): generated and mutated request heads, over real TCP
 * to the real app. Whatever arrives, the server answers without a 5xx, with either the HTTP layer's own refusal
 * (400, 408 or 431, then the connection closed) or the one error envelope, within a bounded time, and still answers
 * a valid check afterwards. FUZZ_RUNS=2000 runs longer (docs/gateway.md).
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../testing/test-app.js';

const messaging = readFileSync(new URL('../../../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
/** How long a head may take here (the server's headersTimeout, made short): a connection never lasts much longer. */
const HEAD_MS = 500;
const CONNECTION_BOUND_MS = HEAD_MS + 3000;

let t: TestApp;
let secret: string;
beforeAll(async () => {
  t = await startTestApp({ trustProxy: ['127.0.0.1/32'] });
  expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: messaging, format: 'yaml' } })).status).toBe(200);
  secret = (await t.createToken({ name: 'reader', scopes: ['numbers:read'], allowedIps: ['10.0.0.0/8'] })).secret;
  t.app.server.headersTimeout = HEAD_MS;
});
afterAll(async () => t?.close());

interface Exchange {
  /** Each response: status line code, headers, body text. */
  responses: { status: number; headers: Record<string, string>; body: string }[];
  closedByServer: boolean;
  ms: number;
}

/** Writes `chunks` (a few ms apart), optionally half-closes, and reads until the server closes or goes quiet. */
function exchange(chunks: string[], halfClose: boolean): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const conn = connect(Number(new URL(t.baseUrl).port), '127.0.0.1');
    let data = Buffer.alloc(0);
    let quiet: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(quiet);
      clearTimeout(bound);
      conn.destroy();
      resolve({ responses: parseResponses(data), closedByServer, ms: Date.now() - started });
    };
    // Never longer than this: a hang is a failure, reported by `ms`.
    const bound = setTimeout(() => finish(false), CONNECTION_BOUND_MS + 1000);
    conn.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      // Kept alive after complete answers: done once nothing more comes for a while.
      clearTimeout(quiet);
      if (parseResponses(data).length > 0) quiet = setTimeout(() => finish(false), 100);
    });
    conn.on('error', () => finish(true));
    conn.on('close', () => finish(true));
    conn.on('connect', async () => {
      for (const chunk of chunks) {
        if (settled) return;
        conn.write(Buffer.from(chunk, 'latin1'));
        await new Promise((r) => setTimeout(r, 2));
      }
      if (halfClose && !settled) conn.end();
    });
  });
}

/** The complete responses in `data`, framed by content-length or chunked (as Node sends a 400 without a Host). */
function parseResponses(data: Buffer) {
  const responses: Exchange['responses'] = [];
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return responses;
    const lines = rest.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const body = headers['transfer-encoding'] === 'chunked' ? dechunk(rest.subarray(end + 4)) : contentLength(rest.subarray(end + 4), Number(headers['content-length'] ?? 0));
    if (body === undefined) return responses;
    responses.push({ status: Number(lines[0]!.split(' ')[1]), headers, body: body.text });
    rest = rest.subarray(end + 4 + body.bytes);
  }
}

function contentLength(data: Buffer, length: number): { text: string; bytes: number } | undefined {
  return data.length < length ? undefined : { text: data.subarray(0, length).toString('utf8'), bytes: length };
}

function dechunk(data: Buffer): { text: string; bytes: number } | undefined {
  let text = '';
  for (let at = 0; ; ) {
    const eol = data.indexOf('\r\n', at);
    if (eol === -1) return undefined;
    const size = Number.parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (data.length < eol + 2 + size + 2) return undefined;
    text += data.subarray(eol + 2, eol + 2 + size).toString('utf8');
    at = eol + 2 + size + 2;
    if (size === 0) return { text, bytes: at };
  }
}

const isEnvelope = (body: string) => {
  try {
    const e = JSON.parse(body).requestError?.serviceException;
    return typeof e?.messageId === 'string' && typeof e?.text === 'string';
  } catch {
    return false;
  }
};

// Generators: a valid check, then every part of it varied or broken.
const requestLine = fc.oneof(
  fc.constantFrom('GET /v1/authorize HTTP/1.1', 'GET /v1/authorize/nginx HTTP/1.1', 'GET /v1/authorize/traefik HTTP/1.1', 'GET /v1/authorize/caddy HTTP/1.1'),
  fc.constantFrom(
    'GET /v1/authorize?x=1 HTTP/1.1', 'GET /v1/authorize/envoy HTTP/1.1', 'GET /v1/authorize/ HTTP/1.1', 'get /v1/authorize HTTP/1.1',
    'GET /v1/authorize HTTP/1.0', 'GET  /v1/authorize HTTP/1.1', 'POST /v1/authorize HTTP/1.1', 'GET /v1/authorize HTTP/2.0',
    'GET /v1/authorize', 'PRI * HTTP/2.0', 'GET /healthz HTTP/1.1', 'DELETE /v1/tokens/x HTTP/1.1', 'GET /v1/authorize/caddy\tHTTP/1.1',
  ),
  fc.string({ maxLength: 40 }),
);
const call = fc.tuple(fc.constantFrom('GET', 'DELETE', 'POST', '', 'G\u0000T'), fc.constantFrom('/numbers/1/numbers', '/numbers/1/numbers/41', '/sms/1/logs', '/a/../numbers/1/numbers', '', '%', '/numbers/1/numbers?access_token=x'));
const address = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('', 'unknown', '10.1.1.1, 127.0.0.1', '10.1.1.1'));
const field = fc.oneof(
  { arbitrary: fc.constant('Authorization: Bearer {{SECRET}}'), weight: 4 },
  { arbitrary: fc.constantFrom('Authorization: Bearer tsr_x', 'Authorization: Basic Zm9v', 'X-API-Key: nope', 'Authorization:'), weight: 1 },
  { arbitrary: call.map(([m, u]) => `X-Original-Method: ${m}\r\nX-Original-URI: ${u}`), weight: 3 },
  { arbitrary: call.map(([m, u]) => `X-Forwarded-Method: ${m}\r\nX-Forwarded-Uri: ${u}`), weight: 3 },
  { arbitrary: address.map((a) => `X-Real-IP: ${a}`), weight: 2 },
  { arbitrary: address.map((a) => `X-Forwarded-For: ${a}`), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      'Host: tessera', 'Host: tessera', 'Connection: close', 'Connection: keep-alive', 'Connection: upgrade', 'Content-Length: 0', 'Content-Length: 5',
      'Content-Length: -1', 'Transfer-Encoding: chunked', 'Expect: 100-continue', 'Upgrade: websocket', ' folded', 'No-Colon', 'Bad Name: x',
      'X-Ctl: a\u0001b', 'X-Bare: a\nX-Smuggled: b', 'X-Latin: caf\u00e9', `X-Big: ${'a'.repeat(17_000)}`, ': empty-name',
    ),
    weight: 3,
  },
  { arbitrary: fc.integer({ min: 1, max: 1100 }).map((n) => Array.from({ length: n }, (_, i) => `X-F${i}: 1`).join('\r\n')), weight: 1 },
  { arbitrary: fc.string({ maxLength: 30 }), weight: 1 },
);
const head = fc.record({
  line: requestLine,
  fields: fc.array(field, { maxLength: 8 }),
  eol: fc.constantFrom('\r\n', '\r\n', '\r\n', '\n'),
  /** Cut the bytes short (a head that never ends), or not. */
  cut: fc.option(fc.nat(), { nil: undefined }),
  /** What follows the head: nothing, a body, or a second request. */
  after: fc.constantFrom('', '', 'hello', 'GET /v1/authorize HTTP/1.1\r\nHost: t\r\n\r\n', '0\r\n\r\n'),
  splits: fc.array(fc.nat(), { maxLength: 3 }),
  halfClose: fc.boolean(),
});

describe('the gateway reader under fuzzed request heads', () => {
  it(`never fails, hangs or answers outside the contract (${RUNS} runs)`, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(head, async ({ line, fields, eol, cut, after, splits, halfClose }) => {
        runs += 1;
        let bytes = `${line}${eol}${fields.map((f) => f.replaceAll('{{SECRET}}', secret) + eol).join('')}${eol}${after}`;
        if (cut !== undefined) bytes = bytes.slice(0, cut % (bytes.length + 1));
        const at = [...new Set(splits.map((s) => s % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((from, i) => bytes.slice(from, [...at, bytes.length][i])).filter((c) => c !== '');
        const { responses, closedByServer, ms } = await exchange(chunks, halfClose);
        expect(ms, 'connection bounded in time').toBeLessThan(CONNECTION_BOUND_MS);
        for (const response of responses) {
          expect(response.status, response.body).toBeLessThan(500);
          if (response.status < 300 || response.status === 100) continue;
          // Node's refusal (or Fastify's client-error one) of bytes it cannot read as a request, on a connection it
          // then closes (a head without Host followed by garbage gets two).
          const httpLayer = [400, 408, 431].includes(response.status) && closedByServer && !isEnvelope(response.body);
          expect(httpLayer || isEnvelope(response.body), `${response.status} ${response.body}`).toBe(true);
        }
      }),
      // On a busy machine the default run stops early rather than passing 20 s; not so early that it proves little.
      { numRuns: RUNS, ...(process.env.FUZZ_RUNS === undefined ? { interruptAfterTimeLimit: 15_000 } : {}) },
    );
    expect(runs).toBeGreaterThanOrEqual(Math.min(RUNS, 30));
    // And the server still answers a valid check.
    const res = await t.request('GET', '/v1/authorize', { headers: { authorization: `Bearer ${secret}`, 'x-original-method': 'GET', 'x-original-uri': '/numbers/1/numbers', 'x-real-ip': '10.2.3.4' } });
    expect(res.status).toBe(200);
  }, 120_000);
});
