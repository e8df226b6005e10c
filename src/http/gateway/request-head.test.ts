import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HEAD_BYTES, NODE_DEFAULT_MAX_FIELDS, readRequestHead } from './request-head.js';

const line = 'GET /v1/authorize HTTP/1.1\r\n';

describe('readRequestHead', () => {
  it('reads the plain form, names in lower case, values trimmed', () => {
    const head = `${line}Host: tessera\r\nAuthorization:  Bearer tsr_x \r\nX-Original-URI:/a?b\r\nX-Real-IP:\t10.0.0.1\t\r\n\r\n`;
    expect(readRequestHead(`${head}GET /next`)).toEqual({
      kind: 'authorize',
      headers: { host: 'tessera', authorization: 'Bearer tsr_x', 'x-original-uri': '/a?b', 'x-real-ip': '10.0.0.1' },
      length: head.length,
      close: false,
    });
  });

  it.each([
    ['/v1/authorize', undefined],
    ['/v1/authorize/nginx', 'nginx'],
    ['/v1/authorize/traefik', 'traefik'],
    ['/v1/authorize/caddy', 'caddy'],
  ])('reads the gateway kind the path %s names', (path, gateway) => {
    const head = readRequestHead(`GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`);
    expect(head).toMatchObject({ kind: 'authorize', gateway });
    expect(readRequestHead(`GET ${path}`).kind).toBe('incomplete');
  });

  it('leaves a head with more fields than the limit to Node (0: no limit, as in Node)', () => {
    const head = (count: number) => `${line}Host: t\r\n${Array.from({ length: count - 1 }, (_, i) => `X-${i}: a\r\n`).join('')}\r\n`;
    expect(readRequestHead(head(10), { maxFields: 10 }).kind).toBe('authorize');
    expect(readRequestHead(head(11), { maxFields: 10 }).kind).toBe('other');
    expect(readRequestHead(head(NODE_DEFAULT_MAX_FIELDS)).kind).toBe('authorize');
    expect(readRequestHead(head(NODE_DEFAULT_MAX_FIELDS + 1)).kind).toBe('other');
    expect(readRequestHead(head(1500), { maxFields: 0 }).kind).toBe('authorize');
  });

  it.each([
    ['Connection: close', true],
    ['Connection: Keep-Alive', false],
    ['Content-Length: 0', false],
  ])('reads %s', (field, close) => {
    const head = readRequestHead(`${line}Host: t\r\n${field}\r\n\r\n`);
    expect(head.kind === 'authorize' && head.close).toBe(close);
  });

  it.each([
    ['the start of the request line', 'GET /v1/auth'],
    ['a head not yet ended', `${line}Host: t\r\n`],
  ])('waits for more after %s', (_name, data) => {
    expect(readRequestHead(data).kind).toBe('incomplete');
  });

  it.each([
    ['another path', 'GET /v1/tokens HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['an unknown gateway kind', 'GET /v1/authorize/envoy HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['a gateway kind in another case', 'GET /v1/authorize/Nginx HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['a query string', 'GET /v1/authorize?x=1 HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['another method', 'POST /v1/authorize HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['HTTP/1.0', 'GET /v1/authorize HTTP/1.0\r\nHost: t\r\n\r\n'],
    ['a lower-case method', 'get /v1/authorize HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['no Host', `${line}Authorization: Bearer x\r\n\r\n`],
    ['a repeated field', `${line}Host: t\r\nAuthorization: Bearer a\r\nauthorization: Bearer b\r\n\r\n`],
    ['a body', `${line}Host: t\r\nContent-Length: 5\r\n\r\nhello`],
    ['chunked', `${line}Host: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ['an upgrade', `${line}Host: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`],
    ['Expect', `${line}Host: t\r\nExpect: 100-continue\r\n\r\n`],
    ['a folded line', `${line}Host: t\r\nX-A: a\r\n b\r\n\r\n`],
    ['a space before the colon', `${line}Host : t\r\n\r\n`],
    ['a bare LF', `${line}Host: t\nX-A: b\r\n\r\n`],
    ['a control character in a value', `${line}Host: t\r\nX-A: a\u0001b\r\n\r\n`],
    ['a line without a colon', `${line}Host: t\r\nnonsense\r\n\r\n`],
    ['something that is not the request line', 'PRI * HTTP/2.0\r\n'],
    ['a head over the size limit', `${line}Host: t\r\nX-A: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n\r\n`],
    ['an unended head over the size limit', `${line}Host: t\r\nX-A: ${'a'.repeat(MAX_HEAD_BYTES)}`],
  ])('leaves %s to Node', (_name, data) => {
    expect(readRequestHead(data).kind).toBe('other');
  });
});

describe('readRequestHead against Node’s own parser', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('connection', 'close');
      res.end(JSON.stringify({ method: req.method, url: req.url, version: req.httpVersion, headers: req.headers }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** What Node's server made of these bytes (its JSON echo), or null when it refused them. */
  const nodeReading = (bytes: string) =>
    new Promise<{ method: string; url: string; version: string; headers: Record<string, string> } | null>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect(port, '127.0.0.1', () => socket.end(Buffer.from(bytes, 'latin1')));
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const received = Buffer.concat(chunks);
        const bodyAt = received.indexOf('\r\n\r\n') + 4;
        resolve(received.toString('latin1').startsWith('HTTP/1.1 200') ? JSON.parse(received.subarray(bodyAt).toString('utf8')) : null);
      });
    });

  it('keeps as many fields as NODE_DEFAULT_MAX_FIELDS says when maxHeadersCount is not set', async () => {
    expect(server.maxHeadersCount).toBeNull();
    const filler = Array.from({ length: NODE_DEFAULT_MAX_FIELDS + 5 }, (_, i) => `X-${i}: a\r\n`).join('');
    const node = await nodeReading(`${line}Host: t\r\n${filler}\r\n`);
    // Node 20 keeps the first NODE_DEFAULT_MAX_FIELDS and drops the rest; newer Node refuses such a head (431, no reading).
    if (node !== null) expect(Object.keys(node.headers)).toHaveLength(NODE_DEFAULT_MAX_FIELDS);
    const exact = await nodeReading(`${line}Host: t\r\n${Array.from({ length: NODE_DEFAULT_MAX_FIELDS - 1 }, (_, i) => `X-${i}: a\r\n`).join('')}\r\n`);
    expect(Object.keys(exact!.headers)).toHaveLength(NODE_DEFAULT_MAX_FIELDS);
  });

  const goodName = fc.constantFrom('Authorization', 'X-Original-URI', 'x-original-method', 'X-Real-IP', 'X-Forwarded-For', 'X-API-Key', 'Cookie', 'A!#$%&*+.^_`|~z', 'X-A', 'x-b', 'X-C', 'X-D');
  const badName = fc.constantFrom('Host', 'HOST', 'Content-Length', 'Connection', 'Bad Name', 'Bad"Name', '');
  const name = fc.oneof({ arbitrary: goodName, weight: 8 }, { arbitrary: badName, weight: 1 });
  const goodValue = fc.constantFrom('', 'tessera', ' spaced ', '\ttabbed\t', 'Bearer tsr_abc', '/sms/2/text/advanced?x=1', '0', '7', 'close', 'keep-alive', 'caf\u00e9', '10.0.0.1, 10.0.0.2');
  const badValue = fc.constantFrom('a\u0001b', 'a\u007fb', 'a\rb', 'a\nb');
  const value = fc.oneof({ arbitrary: goodValue, weight: 8 }, { arbitrary: badValue, weight: 1 });
  const separator = fc.constantFrom(': ', ':', ':  ', ' : ');
  const field = fc.tuple(name, separator, value).map(([n, s, v]) => `${n}${s}${v}`);

  it('reads nothing Node reads otherwise: whatever it takes as plain, Node reads the same request and fields', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(field, { maxLength: 5 }), fc.boolean(), async (fields, withHost) => {
        const bytes = `${line}${withHost ? 'Host: t\r\n' : ''}${fields.map((f) => `${f}\r\n`).join('')}\r\n`;
        const ours = readRequestHead(bytes);
        if (ours.kind !== 'authorize') return;
        const node = await nodeReading(bytes);
        compared += 1;
        expect(node).not.toBeNull();
        expect([node!.method, node!.url, node!.version]).toEqual(['GET', '/v1/authorize', '1.1']);
        expect(node!.headers).toEqual(ours.headers);
      }),
      { numRuns: 400 },
    );
    // Not vacuous: a good share of the generated heads are plain ones.
    expect(compared).toBeGreaterThan(50);
  });
});
