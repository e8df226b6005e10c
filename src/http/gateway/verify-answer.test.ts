import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import fastJsonStringify from 'fast-json-stringify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../testing/test-app.js';
import { serializeVerifyAnswer, toVerifyResponse, verifyAnswerText, VerifyResponse, type VerifyAnswerBody } from '../routes/verify-route.js';
import { LimitSlot, type LimitState, type VerifyResult } from '../../service/index.js';
import type { TokenRecord } from '../../core/types.js';

const messaging = readFileSync(new URL('../../../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');

let t: TestApp;
let port: number;
/** Requests Fastify (Node's HTTP server) answered: the rest were answered on the raw connection. */
let fastifyAnswered = 0;
let secret: string;
let revoked: string;
beforeAll(async () => {
  t = await startTestApp();
  port = Number(new URL(t.baseUrl).port);
  t.app.server.on('request', () => fastifyAnswered++);
  expect((await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source: messaging, format: 'yaml' } })).status).toBe(200);
  secret = (await t.createToken({ name: 'sender', profileId: 'bot-7', scopes: ['message:send'], metadata: { app: 'crm' } })).secret;
  const r = await t.createToken({ name: 'gone', scopes: ['message:send'] });
  expect((await t.request('POST', `/v1/tokens/${r.id}/revoke`, { token: t.rootSecret })).status).toBeLessThan(300);
  revoked = r.secret;
});
afterAll(async () => {
  await t?.close();
});

interface RawResponse {
  status: number;
  /** Header lines as sent, in order (names as written), without Date. */
  head: string[];
  body: string;
}

/** Writes `chunks` on one connection, a few ms apart, and reads `count` responses (bounded in time). */
function exchange(chunks: (string | Buffer)[], count: number): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const conn = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const responses: RawResponse[] = [];
    const timer = setTimeout(() => (conn.destroy(), reject(new Error(`timed out with ${responses.length} of ${count} responses: ${JSON.stringify(responses)}`))), 5000);
    conn.on('connect', async () => {
      for (const chunk of chunks) {
        conn.write(chunk);
        await new Promise((r) => setTimeout(r, 3));
      }
    });
    conn.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      for (;;) {
        const headEnd = data.indexOf('\r\n\r\n');
        if (headEnd === -1) break;
        const lines = data.subarray(0, headEnd).toString('latin1').split('\r\n');
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(data.subarray(0, headEnd + 2).toString('latin1'))?.[1] ?? 0);
        if (data.length < headEnd + 4 + length) break;
        const head = lines.slice(1).filter((l) => !/^date:/i.test(l)).map((l) => (/^x-request-id:/i.test(l) ? 'x-request-id: *' : l));
        responses.push({ status: Number(lines[0]!.split(' ')[1]), head, body: data.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8') });
        data = data.subarray(headEnd + 4 + length);
      }
      if (responses.length >= count) {
        clearTimeout(timer);
        conn.destroy();
        resolve(responses);
      }
    });
    conn.on('error', reject);
  });
}

const verifyRequest = (body: string | Buffer, headers: Record<string, string> = {}) => {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const fields = { host: 'x', 'content-type': 'application/json', 'content-length': String(bytes.length), ...headers };
  const head = `POST /v1/verify HTTP/1.1\r\n${Object.entries(fields).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
};
const health = 'GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n';

/** The same request answered on a fresh connection, and by Fastify (the connection handed over by a first request). */
async function bothWays(request: Buffer): Promise<{ raw: RawResponse; fastify: RawResponse; rawByFastify: boolean }> {
  const before = fastifyAnswered;
  const [raw] = await exchange([request], 1);
  const rawByFastify = fastifyAnswered > before;
  const [, fastify] = await exchange([health, request], 2);
  return { raw: raw!, fastify: fastify!, rawByFastify };
}

describe('attacks on POST /v1/verify over a raw connection', () => {
  it('a second request smuggled in the body is body, never a request of its own', async () => {
    const inner = `\r\n\r\nGET /v1/tokens HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${t.rootSecret}\r\n\r\n`;
    // Raw CR LF in a JSON string: not JSON, so Fastify's to refuse (it closes the connection, so nothing follows).
    const [refused] = await exchange([verifyRequest(`{"token":"${inner}"}`)], 1);
    expect(refused!.status).toBe(400);
    // Escaped, it is a token that does not exist; the next request on the connection is answered on its own.
    const responses = await exchange([verifyRequest(JSON.stringify({ token: inner })), health], 2);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(JSON.parse(responses[0]!.body).code).toBe('NOT_FOUND');
    expect(responses.map((r) => r.body).join('')).not.toContain('tok_');
  });

  it('a content-length shorter than the body: the rest is the next request, read as one (and refused as Node refuses it)', async () => {
    const body = `{"token":"${secret}"}`;
    const request = verifyRequest(body, { 'content-length': String(body.length - 1) });
    const { raw, fastify } = await bothWays(request);
    expect(raw.status).toBe(fastify.status);
    expect(raw.body).toBe(fastify.body);
  });

  it('a content-length longer than the body waits for the rest, and a body split anywhere is validated and verified whole', async () => {
    const body = Buffer.from(`{"token":"${revoked}","scopes":["message:send"]}`);
    for (const at of [1, 10, body.length - 1]) {
      const request = verifyRequest(body);
      const cut = request.length - body.length + at;
      const [answer] = await exchange([request.subarray(0, cut), request.subarray(cut)], 1);
      expect(JSON.parse(answer!.body).code).toBe('REVOKED');
    }
  });

  it('a content-length over the body limit is handed to Node on its head, never buffered here', async () => {
    const before = fastifyAnswered;
    const conn = connect(port, '127.0.0.1');
    conn.on('error', () => {});
    conn.write(verifyRequest('{"token":"', { 'content-length': '9999999' }));
    const deadline = Date.now() + 3000;
    while (fastifyAnswered === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    conn.destroy();
    // Node's parser has the request (its 'request' event) while only the head and a few bytes have come.
    expect(fastifyAnswered).toBe(before + 1);
  });

  it('an invalid content-length, a chunked body or a duplicated length is never read here', async () => {
    for (const headers of [{ 'content-length': '+5' }, { 'content-length': '5, 5' }, { 'transfer-encoding': 'chunked' }, { expect: '100-continue' }] as Record<string, string>[]) {
      const before = fastifyAnswered;
      const responses = await exchange([verifyRequest(`{"token":"${secret}"}`, headers)], 1).catch(() => []);
      // Node refuses most of these itself (400 without a request): whatever came back did not come from this path.
      for (const r of responses) expect(r.status === 400 || fastifyAnswered > before).toBe(true);
    }
  });

  it('no value of the request is echoed into a header: a token with CR LF and header text is just NOT_FOUND', async () => {
    const [answer] = await exchange([verifyRequest(JSON.stringify({ token: 'x\r\nSet-Cookie: a=b' }))], 1);
    expect(answer!.status).toBe(200);
    expect(answer!.head.some((l) => /set-cookie/i.test(l))).toBe(false);
    expect(JSON.parse(answer!.body).code).toBe('NOT_FOUND');
  });

  it('a forwarded address from an untrusted peer does not change the address checked', async () => {
    const fenced = (await t.createToken({ name: 'f', scopes: ['message:send'], allowedIps: ['10.0.0.0/8'] })).secret;
    const [answer] = await exchange([verifyRequest(JSON.stringify({ token: fenced }), { 'x-forwarded-for': '10.1.1.1' })], 1);
    expect(JSON.parse(answer!.body).code).toBe('IP_NOT_ALLOWED');
  });
});

describe('parity: raw connection and Fastify answer byte for byte alike', () => {
  const table: [string, () => Buffer, boolean][] = [
    ['valid', () => verifyRequest(JSON.stringify({ token: secret, scopes: ['message:send'] })), true],
    ['valid with a query', () => verifyRequest(JSON.stringify({ token: secret, query: 'message:send OR sms:logs:read' })), true],
    ['INSUFFICIENT_SCOPE', () => verifyRequest(JSON.stringify({ token: secret, scopes: ['sms:logs:read'] })), true],
    ['REVOKED', () => verifyRequest(JSON.stringify({ token: revoked })), true],
    ['NOT_FOUND', () => verifyRequest(JSON.stringify({ token: 'tsr_nothing' })), true],
    ['IP_NOT_ALLOWED by ip', () => verifyRequest(JSON.stringify({ token: secret, ip: 'not an ip' })), true],
    ['unicode in the body', () => verifyRequest(JSON.stringify({ token: 'ü€😀' })), true],
    ['bad JSON', () => verifyRequest('{"token":'), false],
    ['empty body', () => verifyRequest(''), false],
    ['wrong type', () => verifyRequest(JSON.stringify({ token: 5 })), false],
    ['extra field', () => verifyRequest(JSON.stringify({ token: secret, admin: true })), false],
    ['bad scope', () => verifyRequest(JSON.stringify({ token: secret, scopes: ['NOT A SCOPE'] })), false],
    ['bad query', () => verifyRequest(JSON.stringify({ token: secret, query: 'a AND (' })), false],
    ['huge body', () => verifyRequest(JSON.stringify({ token: 'x'.repeat(70 * 1024) })), false],
    ['__proto__ key', () => verifyRequest(`{"token":"${secret}","__proto__":{"x":1}}`), false],
    ['escaped constructor key', () => verifyRequest(`{"token":"${secret}","\\u0063onstructor":{"prototype":{}}}`), false],
    ['deep JSON', () => verifyRequest(`{"token":"a","context":${'['.repeat(200)}${']'.repeat(200)}}`), false],
    ['NUL in a string', () => verifyRequest(JSON.stringify({ token: 'a\u0000b' })), false],
    ['missing content-type', () => verifyRequest(JSON.stringify({ token: secret }), { 'content-type': '' }), false],
    ['text content-type', () => verifyRequest(JSON.stringify({ token: secret }), { 'content-type': 'text/plain' }), false],
    ['JSON with charset', () => verifyRequest(JSON.stringify({ token: secret }), { 'content-type': 'application/json; charset=utf-8' }), false],
    ['connection close', () => verifyRequest(JSON.stringify({ token: secret }), { connection: 'close' }), true],
    ['a cost of 0', () => verifyRequest(JSON.stringify({ token: secret, cost: 0 })), false],
    ['a limit name too long', () => verifyRequest(JSON.stringify({ token: secret, limits: ['x'.repeat(51)] })), false],
    ['limits named on a token without limits', () => verifyRequest(JSON.stringify({ token: secret, limits: ['per-minute'], cost: 2 })), true],
  ];
  it.each(table)('%s', async (_name, make, rawAnswers) => {
    const { raw, fastify, rawByFastify } = await bothWays(make());
    expect(raw).toEqual(fastify);
    // The plain cases are answered on the raw connection; the rest are handed to Fastify, which answers them.
    expect(rawByFastify).toBe(!rawAnswers);
  });

  it('an account that requires a verifier: refusals and the answer alike, made here once the check is made', async () => {
    const verifier = await t.createToken({ name: 'verifier', scopes: ['tokens:verify'] });
    const other = await t.createToken({ name: 'other', scopes: ['message:send'] });
    await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { verifyRequiresPermission: true } });
    try {
      const body = JSON.stringify({ token: secret });
      const cases: [Record<string, string>, number][] = [
        [{}, 401],
        [{ authorization: 'Basic Zm9v' }, 401],
        [{ authorization: `Bearer ${other.secret}` }, 403],
        [{ authorization: `Bearer ${verifier.secret}` }, 200],
      ];
      for (const [headers, status] of cases) {
        const { raw, fastify, rawByFastify } = await bothWays(verifyRequest(body, headers));
        expect(raw.status).toBe(status);
        expect(raw).toEqual(fastify);
        expect(rawByFastify).toBe(false);
      }
    } finally {
      await t.request('PATCH', '/v1/account/policy', { token: t.rootSecret, body: { verifyRequiresPermission: false } });
    }
  });

  it('a rate-limited token: each check consumes its limit and the refusal carries every limit’s state, all answered here', async () => {
    const limited = await t.createToken({ name: 'limited', scopes: ['message:send'], limits: [{ name: 'burst', limit: 2, duration: '1h' }] });
    const before = fastifyAnswered;
    const answers = await exchange([0, 1, 2].map(() => verifyRequest(JSON.stringify({ token: limited.secret, scopes: ['message:send'] }))), 3);
    expect(fastifyAnswered).toBe(before);
    const bodies = answers.map((a) => JSON.parse(a.body));
    expect(bodies.map((b) => b.code)).toEqual(['VALID', 'VALID', 'RATE_LIMITED']);
    expect(bodies.map((b) => b.ratelimits[0].remaining)).toEqual([1, 0, 0]);
    expect(bodies[2]).toMatchObject({ valid: false, tokenId: limited.id, ratelimits: [{ name: 'burst', holder: 'token', holderId: limited.id, limit: 2, duration: 3600 }] });
    // Fastify reads the same counter: the next check there is refused too.
    const [, viaFastify] = await exchange([health, verifyRequest(JSON.stringify({ token: limited.secret }))], 2);
    expect(JSON.parse(viaFastify!.body).code).toBe('RATE_LIMITED');
  });

  it('a token with credits: each check spends its cost, the refusal tells what is left, all answered here as Fastify would', async () => {
    const metered = await t.createToken({ name: 'metered', scopes: ['message:send'], credits: { remaining: 3 } });
    const before = fastifyAnswered;
    const answers = await exchange([1, 2, 1].map((cost) => verifyRequest(JSON.stringify({ token: metered.secret, cost }))), 3);
    expect(fastifyAnswered).toBe(before);
    const bodies = answers.map((a) => JSON.parse(a.body));
    expect(bodies.map((b) => [b.code, b.credits])).toEqual([['VALID', { remaining: 2 }], ['VALID', { remaining: 0 }], ['USAGE_EXCEEDED', { remaining: 0 }]]);
    // Fastify spends from the same balance and renders the same fields.
    const [, viaFastify] = await exchange([health, verifyRequest(JSON.stringify({ token: metered.secret }))], 2);
    const fastifyBody = JSON.parse(viaFastify!.body);
    expect(fastifyBody).toEqual(bodies[2]);
    expect(Object.keys(fastifyBody)).toEqual(Object.keys(bodies[2]));
  });

  it('counts a raw answer in the same metrics as Fastify', async () => {
    const metric = async () => /tessera_verify_total\{code="REVOKED"\} (\d+)/.exec((await t.request('GET', '/metrics', { token: t.rootSecret })).text ?? '')?.[1];
    const before = Number(await metric());
    await exchange([verifyRequest(JSON.stringify({ token: revoked }))], 1);
    expect(Number(await metric())).toBe(before + 1);
  });
});

describe('the raw path’s serializer (unions written as their one possible type)', () => {
  const route = fastJsonStringify(VerifyResponse);
  const plain: VerifyAnswerBody = { valid: true, code: 'VALID', tokenId: 'tok_a', accountId: 'acc_a', profileId: null, name: 'n', scopes: ['a:b'], expiresAt: null, metadata: { app: 'crm' } };
  const state = { name: 'per-minute', holder: 'identity' as const, holderId: 'idt_a', limit: 10, duration: 60, remaining: 9, reset: '2026-12-07T00:01:00.000Z' };
  const answers: [string, VerifyAnswerBody][] = [
    ['plain', plain],
    ['every nullable field set', { ...plain, profileId: 'bot-7', name: 'n "quoted"\n', expiresAt: '2027-01-01T00:00:00.000Z' }],
    ['NOT_FOUND', { valid: false, code: 'NOT_FOUND', tokenId: null, accountId: null, profileId: null, name: null, scopes: [], expiresAt: null }],
    ['INSUFFICIENT_SCOPE', { ...plain, valid: false, code: 'INSUFFICIENT_SCOPE', missingScopes: ['c:d'], denied: 'endpoint', reason: 'r' }],
    ['limits, credits and no identity', { ...plain, identity: null, ratelimits: [{ ...state, holder: 'token', holderId: 'tok_a' }], credits: { remaining: 5 } }],
    ['an identity and two limits', { ...plain, identity: { id: 'idt_a', externalId: 'user-1' }, ratelimits: [state, { ...state, name: 'per-hour' }] }],
    ['RATE_LIMITED', { ...plain, valid: false, code: 'RATE_LIMITED', identity: null, ratelimits: [{ ...state, remaining: 0 }] }],
    ['USAGE_EXCEEDED without limits', { ...plain, valid: false, code: 'USAGE_EXCEEDED', identity: null, credits: { remaining: 0 } }],
    ['text to escape in the identity and a limit', {
      ...plain, identity: { id: 'idt_"a"', externalId: 'user\\1\n\u2028é' }, ratelimits: [{ ...state, holderId: 'idt_"a"', reset: '2026-12-07T00:01:00.000Z\u0000' }],
    }],
    ['numbers that are not integers (truncated as the route does)', { ...plain, ratelimits: [{ ...state, remaining: 2.5 }], credits: { remaining: 7.9 } }],
    ['credits past 2^31 and no limits', { ...plain, credits: { remaining: 1_000_000_000_000 } }],
    ['an empty list of limits', { ...plain, identity: null, ratelimits: [] }],
  ];
  it.each(answers)('%s: the same bytes as the route’s', (_name, answer) => {
    expect(serializeVerifyAnswer(answer)).toBe(route(answer));
  });
});

describe('the raw path’s answer to a check (a passing check’s head written once per token record)', () => {
  const route = fastJsonStringify(VerifyResponse);
  const record = (id: string, extra: Partial<TokenRecord> = {}) => ({
    id, accountId: 'acc_a', kind: 'api', name: 'n "q"', description: null, profileId: null, scopes: ['a:b', 'c:*'], deny: [], templates: [], hint: 'tsr_…',
    createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z', validFrom: null, expiresAt: '2027-01-01T00:00:00.000Z', allowedIps: [],
    enabled: true, revokedAt: null, lastUsedAt: null, useCount: 0, createdBy: null, parentId: null, metadata: { app: 'crm', n: [1, { x: null }] },
    identityId: null, limits: [], credits: null, version: 1, instance: 'i', ...extra,
  }) as TokenRecord;
  const token = record('tok_a');
  const limits = { depth: 0, expiresAtMs: null, allowedIps: [], ancestorPermissions: [] };
  // One slot per holder and limit, as the rate limiter gives them: the writer keeps each limit's text there.
  const slots = new Map<string, LimitSlot>();
  const slotOf = (holderId: string, name: string) => slots.get(`${holderId} ${name}`) ?? slots.set(`${holderId} ${name}`, new LimitSlot()).get(`${holderId} ${name}`)!;
  const state = (over: Partial<LimitState> = {}): LimitState => {
    const made = { name: 'per-minute', holder: 'token' as const, holderId: 'tok_a', limit: 100, remaining: 41, resetAtMs: Date.UTC(2026, 11, 7, 0, 1), resetInMs: 1000, durationMs: 60_000, exceeded: false, ...over };
    return { ...made, slot: slotOf(made.holderId, made.name) };
  };
  const results: [string, VerifyResult][] = [
    ['plain VALID', { valid: true, code: 'VALID', token, limits }],
    ['the same token again (its kept head)', { valid: true, code: 'VALID', token, limits }],
    ['another token, nothing nullable set', { valid: true, code: 'VALID', token: record('tok_b', { expiresAt: null, profileId: 'p', metadata: {} }), limits }],
    ['limits and credits, no identity', { valid: true, code: 'VALID', token, limits, identity: null, ratelimits: [state()], credits: { remaining: 1_000_000_000_000 } }],
    ['the same limit, fewer left', { valid: true, code: 'VALID', token, limits, identity: null, ratelimits: [state({ remaining: 40 })] }],
    ['the same limit in its next window', { valid: true, code: 'VALID', token, limits, identity: null, ratelimits: [state({ remaining: 99, resetAtMs: Date.UTC(2026, 11, 7, 0, 2) })] }],
    ['the same limit raised', { valid: true, code: 'VALID', token, limits, identity: null, ratelimits: [state({ limit: 1000, remaining: 958 })] }],
    ['an identity and two limits with a new end', {
      valid: true, code: 'VALID', token, limits, identity: { id: 'idn_"x"', externalId: 'u\n1\ud800\u001f' },
      ratelimits: [state({ holder: 'identity', holderId: 'idn_"x"', durationMs: 3_600_000, resetAtMs: Date.UTC(2026, 11, 7, 1) }), state({ name: 'b.c-d', limit: 7 })],
    }],
    ['credits only', { valid: true, code: 'VALID', token, limits, identity: null, credits: { remaining: 3 } }],
    ['text beyond ASCII: the token, the identity, a holder', {
      valid: true, code: 'VALID', token: record('tok_ü', { name: 'Zoë’s key', metadata: { city: 'Köln' } }), limits, identity: { id: 'idn_é', externalId: '用户' },
      ratelimits: [state({ holder: 'identity', holderId: 'idn_é' })], credits: { remaining: 1 },
    }],
    ['ASCII again after it', { valid: true, code: 'VALID', token, limits, identity: null, ratelimits: [state({ remaining: 7 })] }],
    ['RATE_LIMITED', { valid: false, code: 'RATE_LIMITED', token, identity: null, ratelimits: [state({ remaining: 0, exceeded: true })] }],
    ['USAGE_EXCEEDED', { valid: false, code: 'USAGE_EXCEEDED', token, identity: null, credits: { remaining: 0 } }],
    ['INSUFFICIENT_SCOPE', { valid: false, code: 'INSUFFICIENT_SCOPE', token, denied: 'scopes', missingScopes: ['x:y'], reason: 'r' }],
    ['REVOKED', { valid: false, code: 'REVOKED', token }],
    ['NOT_FOUND', { valid: false, code: 'NOT_FOUND' }],
  ];
  it.each(results)('%s: the same bytes as the route’s, and their count', (_name, result) => {
    const answer = verifyAnswerText(result);
    expect(answer.text).toBe(route(toVerifyResponse(result)));
    expect(answer.bytes).toBe(Buffer.byteLength(answer.text));
  });
});
