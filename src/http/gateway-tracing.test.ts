/**
 * Forward-auth checks answered by the gateway connection reader (not Fastify) are traced like Fastify's requests:
 * a request span continuing the gateway's traceparent, the check span under it, nothing secret; with tracing off
 * the reader makes no span at all.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spanAttribute as attribute, startOtlpReceiver, tracingEnv, type OtlpReceiver } from '../testing/otlp-receiver.js';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { freshTestDatabase, startTestApp } from '../testing/test-app.js';

const messaging = readFileSync(new URL('../../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');

async function applyCatalog(url: string, root: string): Promise<void> {
  const res = await fetch(`${url}/v1/catalog`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source: messaging, format: 'yaml' }),
  });
  expect(res.status).toBe(200);
}

/** One raw forward-auth subrequest, as a gateway writes it, on a connection of its own; resolves to the status. */
function gatewayCheck(url: string, secret: string, extra: Record<string, string> = {}): Promise<number> {
  const { hostname, port } = new URL(url);
  const head = Object.entries({ Host: 'tessera', Authorization: `Bearer ${secret}`, 'X-Original-Method': 'POST', 'X-Original-URI': '/sms/2/text/advanced', ...extra })
    .map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`GET /v1/authorize HTTP/1.1\r\n${head}\r\n`));
    let text = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (!text.includes('\r\n\r\n')) return;
      socket.destroy();
      resolve(Number(text.split(' ')[1]));
    });
    socket.on('error', reject);
  });
}

describe('a traced server’s gateway connections', { timeout: 120_000 }, () => {
  let receiver: OtlpReceiver;
  let server: ServerProcess;
  let dir: string;
  let root: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-gateway-tracing-'));
    receiver = await startOtlpReceiver();
    server = await startServerProcess(await freshTestDatabase(dir), { LOG_LEVEL: 'warn', ...tracingEnv(receiver) });
    root = /^\s+(tsr_\w+)$/m.exec(server.stderr())![1]!;
    await applyCatalog(server.url, root);
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('give each check a request span under the gateway’s span, the check span under it, and no secret', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const gatewaySpanId = 'b7ad6b7169203331';
    expect(await gatewayCheck(server.url, root, { traceparent: `00-${traceId}-${gatewaySpanId}-01`, tracestate: 'gw=1' })).toBe(200);
    // A refused check (no such token) in a trace of its own, and one sent with a garbled traceparent.
    expect(await gatewayCheck(server.url, 'tsr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe(401);
    expect(await gatewayCheck(server.url, root, { traceparent: 'garbage' })).toBe(200);
    await server.stop('SIGTERM');
    expect(server.child.exitCode).toBe(0);

    const spans = receiver.spans();
    const request = spans.find((s) => s.traceId === traceId && s.name === 'GET /v1/authorize');
    expect(request, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(request!.parentSpanId).toBe(gatewaySpanId);
    expect(attribute(request!, 'http.response.status_code')).toBe(200);
    expect(attribute(request!, 'http.route')).toBe('/v1/authorize');
    // Fastify's request spans carry its request id; the reader answered this one without Fastify.
    expect(attribute(request!, 'tessera.request.id')).toBeUndefined();
    const check = spans.find((s) => s.traceId === traceId && s.name === 'tessera.check authorize');
    expect(check?.parentSpanId).toBe(request!.spanId);
    expect(attribute(check!, 'tessera.check.code')).toBe('VALID');
    expect(attribute(check!, 'tessera.token.id')).toMatch(/^tok_/);

    const requests = spans.filter((s) => s.name === 'GET /v1/authorize');
    expect(requests.map((s) => attribute(s, 'http.response.status_code')).sort()).toEqual([200, 200, 401]);
    // The garbled traceparent started a trace of its own rather than joining one.
    expect(requests.filter((s) => s.parentSpanId === undefined || s.parentSpanId === '').length).toBe(2);
    const exported = receiver.bodies.join('\n');
    for (const secretText of [root, root.slice(4, 40)]) expect(exported).not.toContain(secretText);
  });
});

describe('with tracing off', () => {
  it('the reader makes no span objects (a recording provider sees none), and with a tracer one per check', async () => {
    let started = 0;
    const provider = new NodeTracerProvider({
      spanProcessors: [{ onStart: () => void started++, onEnd: () => undefined, forceFlush: async () => undefined, shutdown: async () => undefined }],
    });
    // Anything on the path that reached for the global API would count here too.
    trace.setGlobalTracerProvider(provider);
    try {
      for (const tracer of [undefined, provider.getTracer('test')]) {
        started = 0;
        const t = await startTestApp(tracer ? { tracer } : {});
        try {
          await applyCatalog(t.baseUrl, t.rootSecret);
          started = 0;
          for (let i = 0; i < 5; i++) expect(await gatewayCheck(t.baseUrl, t.rootSecret)).toBe(200);
          expect(started).toBe(tracer ? 5 : 0);
        } finally {
          await t.close();
        }
      }
    } finally {
      trace.disable();
      await provider.shutdown();
    }
  });
});
