/** Errors Fastify or Node raise before any route runs still answer in the envelope, and never echo the URL. */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/** Writes `request` as it is on a new connection and reads until the server closes or answers in full. */
function raw(request: string | Buffer): Promise<RawResponse> {
  const { hostname, port } = new URL(t.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 5 s'));
    }, 5_000);
    const finish = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      let body = split === -1 ? '' : text.slice(split + 4);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (length) body = body.slice(0, Number(length[1]));
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body });
    };
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, split === -1 ? text.length : split));
      if (split !== -1 && length && Buffer.byteLength(text.slice(split + 4), 'latin1') >= Number(length[1])) {
        socket.destroy();
        finish();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (chunks.length) finish();
    });
    socket.write(request);
  });
}

function expectEnvelope(response: RawResponse, status: number, code: string, marker?: string): void {
  expect(response.status, response.head + response.body).toBe(status);
  expect(response.head.toLowerCase()).toContain('content-type: application/json');
  const body = JSON.parse(response.body);
  expect(Object.keys(body)).toEqual(['requestError']);
  expect(body.requestError.serviceException.messageId).toBe(code);
  expect(typeof body.requestError.serviceException.text).toBe('string');
  if (marker !== undefined) expect(response.body).not.toContain(marker);
}

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;
const post = (path: string, type: string, body: string) =>
  `POST ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer ${t.rootSecret}\r\n` +
  `Content-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('errors raised before a route', () => {
  it('404 for an unknown route, without the path', async () => {
    expectEnvelope(await raw(get('/v1/nothing-here-marker')), 404, 'NOT_FOUND', 'nothing-here-marker');
  });

  it('404 for a method the route does not have, without the path', async () => {
    expectEnvelope(await raw(`PUT /v1/tokens/marker405 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`), 404, 'NOT_FOUND', 'marker405');
  });

  it('414 for a path parameter over 100 characters (Fastify’s maxParamLength), without the URL', async () => {
    const long = 'p'.repeat(150) + 'marker414';
    expectEnvelope(await raw(get(`/v1/tokens/${long}`)), 414, 'URI_TOO_LONG', 'marker414');
  });

  it('400 for a URL that does not decode, without the URL', async () => {
    expectEnvelope(await raw(get('/v1/tokens/%E0%A4%Amarkerbad')), 400, 'BAD_REQUEST', 'markerbad');
  });

  it('415 for a body that is not JSON', async () => {
    expectEnvelope(await raw(post('/v1/tokens', 'text/plain', 'name=x')), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectEnvelope(await raw(post('/v1/tokens', 'application/x-whatever', 'x')), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('400 for broken JSON, without echoing it', async () => {
    expectEnvelope(await raw(post('/v1/tokens', 'application/json', '{"name": markerjson')), 400, 'BAD_REQUEST', 'markerjson');
    expectEnvelope(await raw(post('/v1/tokens', 'application/json', '{"__proto__": {"x": 1}, "name": "a"}')), 400, 'BAD_REQUEST');
  });

  it('413 for a body over the limit', async () => {
    expectEnvelope(await raw(post('/v1/tokens', 'application/json', JSON.stringify({ name: 'x'.repeat(70_000) }))), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('431 for headers over Node’s limit, and 400 for a request Node cannot parse', async () => {
    expectEnvelope(await raw(get('/v1/tokens', `X-Big: ${'h'.repeat(20_000)}\r\n`)), 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE');
    expectEnvelope(await raw('GET /v1/tokens HTTP/1.1\r\nHost: x\r\nBad Header Name: y\r\n\r\n'), 400, 'BAD_REQUEST');
  });
});
