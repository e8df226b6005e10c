/**
 * A body over the limit reaches Node's own `fetch` as the 413 in the envelope, not as a network error, on every
 * supported runtime (.ci/run runs this file on Node 20, 22 and 24). The server is the built binary in its own
 * process, as in production: client and server do not share an event loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRAIN_LIMIT_BYTES } from './drain-refused-body.js';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { freshTestDatabase } from '../testing/test-app.js';

let server: ServerProcess;
let root: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-body-limit-'));
  server = await startServerProcess(await freshTestDatabase(dir), { LOG_LEVEL: 'warn' });
  root = /^\s+(tsr_\w+)$/m.exec(server.stderr())![1]!;
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** 3 MB of JSON: far over the 64 KiB limit, far under the drain bound. */
const bigBody = JSON.stringify({ name: 'big', scopes: ['a:b'], metadata: { pad: 'x'.repeat(3 * 1024 * 1024) } });

function post(body: RequestInit['body'], init: RequestInit = {}) {
  return fetch(`${server.url}/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(15_000),
    ...init,
  });
}

describe('a body over the limit', () => {
  it('reaches fetch as 413 PAYLOAD_TOO_LARGE every time (it was EPIPE now and then, every time on Node 24)', async () => {
    // One lost answer in a few dozen was the failure on Node 20: enough rounds to see it.
    for (let round = 0; round < 40; round++) {
      const response = await post(bigBody);
      expect(response.status).toBe(413);
      expect(((await response.json()) as { requestError: { serviceException: { messageId: string } } }).requestError.serviceException.messageId).toBe('PAYLOAD_TOO_LARGE');
    }
  });

  it('reaches concurrent fetches as 413, and the server keeps answering afterwards', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(bigBody).then((r) => r.status)));
    expect(answers).toEqual(Array(6).fill(413));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('reaches fetch as 413 when the body is streamed without a length (chunked)', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 48) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await post(stream, { duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('keeps the connection open after a drained 413, and closes it for a body declared over the drain bound', async () => {
    const small = await rawPost(3 * 1024 * 1024);
    expect(small.status).toBe(413);
    expect(small.connection).not.toBe('close');
    // Declared but never sent: the server must not wait for (or read) 20 MB it will refuse anyway.
    const huge = await rawPost(DRAIN_LIMIT_BYTES + 1, { sendBody: false });
    expect(huge.status).toBe(413);
    expect(huge.connection).toBe('close');
  });
});

/** A plain node:http request, to see the Connection header fetch hides. */
function rawPost(length: number, options = { sendBody: true }): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json', 'content-length': length },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    req.on('error', reject);
    if (options.sendBody) req.end(Buffer.alloc(length, 0x20));
    else req.flushHeaders();
  });
}
