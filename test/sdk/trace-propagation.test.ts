// The SDK middleware carries the caller's W3C trace context to Tessera: each example app (Fastify, Express, Hono)
// in front of a real, traced `tessera serve` that exports to a real OTLP/HTTP receiver on 127.0.0.1.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExample as startFastify } from '../../examples/sdk-fastify/app.js';
import { startExample as startExpress } from '../../examples/sdk-express/app.js';
import { startExample as startHono } from '../../examples/sdk-hono/app.js';
import { spanAttribute as attribute, startOtlpReceiver, tracingEnv, type OtlpReceiver } from '../../src/testing/otlp-receiver.js';
import { startServerProcess, type ServerProcess } from '../../src/testing/server-process.js';
import { freshTestDatabase } from '../../src/testing/test-app.js';

const messaging = readFileSync(new URL('../../examples/catalogs/messaging.yaml', import.meta.url), 'utf8');

const frameworks = [
  { name: 'fastify', start: startFastify, traceId: '11111111111111111111111111111111' },
  { name: 'express', start: startExpress, traceId: '22222222222222222222222222222222' },
  { name: 'hono', start: startHono, traceId: '33333333333333333333333333333333' },
];
const callerSpanId = 'a1b2c3d4e5f60718';

let receiver: OtlpReceiver;
let server: ServerProcess;
let dir: string;
let reader: { secret: string; id: string };

async function tessera(method: string, path: string, token: string, body: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-sdk-tracing-'));
  receiver = await startOtlpReceiver();
  server = await startServerProcess(await freshTestDatabase(dir), { LOG_LEVEL: 'warn', ...tracingEnv(receiver) });
  const root = /^\s+(tsr_\w+)$/m.exec(server.stderr())![1]!;
  expect((await tessera('PUT', '/v1/catalog', root, { source: messaging, format: 'yaml' })).status).toBe(200);
  const created = await tessera('POST', '/v1/tokens', root, { name: 'reader', scopes: ['sms:logs:read'] });
  expect(created.status).toBe(201);
  reader = { secret: created.body.secret, id: created.body.token.id };
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SDK middleware and trace context', { timeout: 120_000 }, () => {
  it('continues the caller’s trace in Tessera’s spans on every framework, and a forged traceparent joins nothing', async () => {
    for (const { name, start, traceId } of frameworks) {
      // No cache: every request is a verify call to Tessera.
      const app = await start({ baseUrl: server.url, cacheTtlMs: 0 });
      try {
        const call = (headers: Record<string, string>) =>
          fetch(`${app.url}/sms/1/logs`, { headers: { authorization: `Bearer ${reader.secret}`, ...headers } });
        const traced = await call({ traceparent: `00-${traceId}-${callerSpanId}-01`, tracestate: `app=${name}` });
        expect(traced.status, name).toBe(200);
        // A well-formed trace whose tracestate carries the client's own token: the trace goes on, the token nowhere.
        const leaky = await call({ traceparent: `00-${traceId.replace(/^./, 'f')}-${callerSpanId}-01`, tracestate: `leak=${reader.secret}` });
        expect(leaky.status, name).toBe(200);
        // What a client of the app may send instead: nothing the app passes on, and the check is unharmed.
        for (const forged of ['00-zz-not-a-trace-01', `00-${traceId}-${callerSpanId}-01-${'x'.repeat(300)}`, `00-${'0'.repeat(32)}\t-${callerSpanId}-01`]) {
          expect((await call({ traceparent: forged, tracestate: reader.secret })).status, `${name} ${forged.slice(0, 20)}`).toBe(200);
        }
      } finally {
        await app.close();
      }
    }
    // SIGTERM flushes what the batch processor still holds.
    await server.stop('SIGTERM');
    expect(server.child.exitCode).toBe(0);

    const spans = receiver.spans();
    for (const { name, traceId } of frameworks) {
      const request = spans.find((s) => s.traceId === traceId && s.name === 'POST /v1/verify');
      expect(request, `${name}: ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
      expect(request!.parentSpanId, name).toBe(callerSpanId);
      const check = spans.find((s) => s.traceId === traceId && s.name === 'tessera.check verify');
      expect(check?.parentSpanId, name).toBe(request!.spanId);
      expect(attribute(check!, 'tessera.check.code')).toBe('VALID');
      expect(attribute(check!, 'tessera.token.id')).toBe(reader.id);
    }
    // Each forged call was verified in a trace of its own: five verify calls per framework, two joined a trace.
    const verifies = spans.filter((s) => s.name === 'POST /v1/verify');
    expect(verifies.length).toBe(frameworks.length * 5);
    expect(verifies.filter((s) => s.parentSpanId === callerSpanId).length).toBe(frameworks.length * 2);
    const exported = receiver.bodies.join('\n');
    for (const secretText of [reader.secret, reader.secret.slice(4, 40)]) expect(exported).not.toContain(secretText);
  });
});
