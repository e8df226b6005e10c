/**
 * Raw-socket fuzzing of the verify reader (verify-answer.ts on gateway-connection.ts): pipelines mixing verify (plain,
 * and forms handed to Fastify), forward auth and other routes, their bytes split at random across packets. Whatever
 * the split, each request gets the answer it gets alone on its own connection, in order, once. FUZZ_RUNS=2000 runs longer.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../testing/test-app.js';

const messaging = readFileSync(new URL('../../../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

let t: TestApp;
let requests: Buffer[];
/** Each request's answer alone on a fresh connection: status and the verify code (or the error's messageId). */
let alone: string[];

const post = (body: string, headers = 'content-type: application/json\r\n') =>
  Buffer.from(`POST /v1/verify HTTP/1.1\r\nhost: t\r\n${headers}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);

beforeAll(async () => {
  t = await startTestApp();
  expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: messaging, format: 'yaml' } })).status).toBe(200);
  const secret = (await t.createToken({ name: 'reader', scopes: ['numbers:read'] })).secret;
  const other = (await t.createToken({ name: 'sender', scopes: ['message:send'] })).secret;
  requests = [
    post(JSON.stringify({ token: secret, scopes: ['numbers:read'] })),
    post(JSON.stringify({ token: other, scopes: ['numbers:read'] })),
    post(JSON.stringify({ token: 'tsr_none', ip: '10.0.0.1' })),
    post(JSON.stringify({ token: 'ü€' })),
    post(JSON.stringify({ token: secret, extra: 1 })),
    post(JSON.stringify({ token: secret }), 'content-type: application/json; charset=utf-8\r\n'),
    Buffer.from(`POST /v1/verify HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{"tok\r\n8\r\nen":"x"}\r\n0\r\n\r\n`),
    Buffer.from(`GET /v1/authorize HTTP/1.1\r\nhost: t\r\nauthorization: Bearer ${secret}\r\nx-original-method: GET\r\nx-original-uri: /numbers/1/numbers\r\n\r\n`),
    Buffer.from(`GET /v1/authorize HTTP/1.1\r\nhost: t\r\nauthorization: Bearer ${other}\r\nx-original-method: GET\r\nx-original-uri: /numbers/1/numbers\r\n\r\n`),
    Buffer.from('GET /healthz HTTP/1.1\r\nhost: t\r\n\r\n'),
  ];
  alone = [];
  for (const request of requests) alone.push(...(await exchange([request], 1)));
});
afterAll(async () => t?.close());

/** Writes `chunks` a little apart on one connection and reads `count` answers, summarized (bounded in time). */
function exchange(chunks: Buffer[], count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const conn = connect(Number(new URL(t.baseUrl).port), '127.0.0.1');
    let data = Buffer.alloc(0);
    const answers: string[] = [];
    const timer = setTimeout(() => (conn.destroy(), reject(new Error(`${answers.length} of ${count} answers: ${answers.join(' ')}`))), 5000);
    conn.on('connect', async () => {
      for (const chunk of chunks) {
        conn.write(chunk);
        await new Promise((r) => setTimeout(r, 1));
      }
    });
    conn.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      for (;;) {
        const end = data.indexOf('\r\n\r\n');
        if (end === -1) break;
        const head = data.subarray(0, end + 2).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (data.length < end + 4 + length) break;
        const text = data.subarray(end + 4, end + 4 + length).toString('utf8');
        const body = text ? JSON.parse(text) : {};
        answers.push(`${head.split(' ')[1]}:${body.code ?? body.requestError?.serviceException?.messageId ?? body.status ?? ''}`);
        data = data.subarray(end + 4 + length);
      }
      if (answers.length > count) reject(new Error(`more answers than requests: ${answers.join(' ')}`));
      if (answers.length === count) {
        // A moment for any answer too many to show up.
        setTimeout(() => (clearTimeout(timer), conn.destroy(), resolve(answers)), 20);
      }
    });
    conn.on('error', reject);
  });
}

describe('the verify reader under pipelined, split requests', () => {
  it(`answers each request as alone, in order, once (${RUNS} runs)`, async () => {
    expect(alone.slice(0, 4)).toEqual(['200:VALID', '200:INSUFFICIENT_SCOPE', '200:NOT_FOUND', '200:NOT_FOUND']);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(requests.length - 1), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 6 }), async (picked, splits) => {
        const bytes = Buffer.concat(picked.map((i) => requests[i]!));
        const at = [...new Set(splits.map((s) => s % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((from, i) => bytes.subarray(from, [...at, bytes.length][i])).filter((c) => c.length > 0);
        expect(await exchange(chunks, picked.length)).toEqual(picked.map((i) => alone[i]));
      }),
      { numRuns: RUNS, ...(process.env.FUZZ_RUNS === undefined ? { interruptAfterTimeLimit: 20_000 } : {}) },
    );
  }, 120_000);
});
