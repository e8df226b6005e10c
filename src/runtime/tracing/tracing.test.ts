/**
 * OpenTelemetry tracing of the built server, exported over OTLP/HTTP (JSON) to a real receiver on 127.0.0.1: a span
 * per request continuing the caller's traceparent, a check span under it, database spans, and no secret anywhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spanAttribute as attribute, startOtlpReceiver, tracingEnv, type OtlpReceiver } from '../../testing/otlp-receiver.js';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { freshTestDatabase } from '../../testing/test-app.js';
import { tracingRequested } from './start-tracing.js';

let receiver: OtlpReceiver;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-tracing-'));
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('OTEL_* switches tracing on', () => {
  it('only for otlp or an OTLP endpoint, never when disabled; names an exporter it lacks', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
    expect(() => tracingRequested({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER: .*got zipkin/);
  });
});

describe('a traced server', { timeout: 120_000 }, () => {
  let server: ServerProcess;
  let root: string;

  beforeAll(async () => {
    server = await startServerProcess(await freshTestDatabase(dir), { LOG_LEVEL: 'warn', ...tracingEnv(receiver) });
    root = /^\s+(tsr_\w+)$/m.exec(server.stderr())![1]!;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('exports request, check and database spans under the caller’s trace, with ids and no secret', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const created = await fetch(`${server.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'traced', scopes: ['tokens:read'] }),
    });
    const { token, secret } = (await created.json()) as { token: { id: string }; secret: string };
    const account = (await (await fetch(`${server.url}/v1/account`, { headers: { authorization: `Bearer ${root}` } })).json()) as { id: string };
    const verified = await fetch(`${server.url}/v1/verify?access_token=${secret}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: JSON.stringify({ token: secret, scopes: ['tokens:read'] }),
    });
    expect(verified.status).toBe(200);
    const denied = await fetch(`${server.url}/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: secret, scopes: ['tokens:create'] }),
    });
    expect(denied.status).toBe(200);
    // SIGTERM flushes what the batch processor still holds.
    await server.stop('SIGTERM');
    expect(server.child.exitCode).toBe(0);

    const spans = receiver.spans();
    const request = spans.find((s) => s.traceId === traceId && s.name === 'POST /v1/verify');
    expect(request, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(request!.parentSpanId).toBe(callerSpanId);
    expect(attribute(request!, 'http.response.status_code')).toBe(200);
    expect(attribute(request!, 'url.path')).toBe('/v1/verify');

    const check = spans.find((s) => s.traceId === traceId && s.name === 'tessera.check verify');
    expect(check?.parentSpanId).toBe(request!.spanId);
    expect(attribute(check!, 'tessera.check.code')).toBe('VALID');
    expect(attribute(check!, 'tessera.token.id')).toBe(token.id);
    expect(attribute(check!, 'tessera.account.id')).toBe(account.id);
    expect(attribute(check!, 'tessera.check.route')).toBe('verify');
    const refused = spans.find((s) => s.name === 'tessera.check verify' && attribute(s, 'tessera.check.code') === 'INSUFFICIENT_SCOPE');
    expect(refused).toBeDefined();

    // Creating the token wrote to the database inside its request's trace.
    const create = spans.find((s) => s.name === 'POST /v1/tokens');
    const dbSpans = spans.filter((s) => s.name.startsWith('db ') && s.traceId === create?.traceId);
    expect(dbSpans.length).toBeGreaterThan(0);
    expect(dbSpans.every((s) => attribute(s, 'db.system.name') === 'sqlite' || attribute(s, 'db.system.name') === 'postgresql')).toBe(true);

    const exported = receiver.bodies.join('\n');
    expect(exported).toContain('tessera-under-test');
    for (const secretText of [secret, root, secret.slice(4, 40), root.slice(4, 40)]) expect(exported).not.toContain(secretText);
  });
});
