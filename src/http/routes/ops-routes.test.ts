import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageId, startTestApp, type TestApp } from '../../testing/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('operations', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await t.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await t.request('GET', '/readyz')).body).toEqual({ status: 'ready' });
  });

  it('exposes verify outcomes and latency on /metrics', async () => {
    await t.request('POST', '/v1/verify', { body: { token: t.rootSecret } });
    await t.request('POST', '/v1/verify', { body: { token: 'nope' } });
    const res = await t.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/tessera_verify_total\{code="VALID"\} 1/);
    expect(res.text).toMatch(/tessera_verify_total\{code="NOT_FOUND"\} 1/);
    expect(res.text).toContain('tessera_verify_duration_seconds_bucket');
  });

  it('serves an OpenAPI 3.1 document built from the routes, and a docs page', async () => {
    const doc = (await t.request('GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/v1/tokens', '/v1/tokens/{id}', '/v1/tokens/{id}/rotate', '/v1/verify', '/v1/audit', '/v1/tokens/bulk-delete']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.components.securitySchemes.bearer.scheme).toBe('bearer');
    const page = await t.request('GET', '/docs/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  it('returns a request id on every response', async () => {
    expect((await t.request('GET', '/healthz')).headers.get('x-request-id')).toMatch(/^req_/);
  });
});

describe('errors', () => {
  it('answers unknown routes with 404 in the envelope', async () => {
    const res = await t.request('GET', '/v1/nothing');
    expect(res.status).toBe(404);
    expect(messageId(res)).toBe('NOT_FOUND');
  });

  it('answers an oversized body with 413', async () => {
    const res = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: { name: 'x'.repeat(200_000), scopes: ['a:b'] } });
    expect(res.status).toBe(413);
    expect(messageId(res)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a non-JSON body with 415, and broken JSON with 400', async () => {
    const res = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: 'name=x', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(messageId(res)).toBe('UNSUPPORTED_MEDIA_TYPE');
    const broken = await t.request('POST', '/v1/tokens', { token: t.rootSecret, body: '{"name":' });
    expect(broken.status).toBe(400);
    expect(messageId(broken)).toBe('BAD_REQUEST');
  });

  it('throttles failed authentication per client address with 429 and Retry-After (valid tokens: auth-throttle.test.ts)', async () => {
    const strict = await startTestApp({ tessera: { authThrottle: { maxFailures: 3, windowMs: 60_000 } } });
    try {
      for (let i = 0; i < 3; i++) expect((await strict.request('GET', '/v1/tokens', { token: 'tsr_wrong' })).status).toBe(401);
      const limited = await strict.request('GET', '/v1/tokens', { token: 'tsr_wrong' });
      expect(limited.status).toBe(429);
      expect(messageId(limited)).toBe('TOO_MANY_REQUESTS');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await strict.close();
    }
  });

  it('answers an unexpected failure with 500 and no detail', async () => {
    const broken = await startTestApp();
    try {
      broken.tessera.ctx.store.listTokens = async () => {
        throw new Error('disk on fire at /secret/path');
      };
      const res = await broken.request('GET', '/v1/tokens', { token: broken.rootSecret });
      expect(res.status).toBe(500);
      expect(messageId(res)).toBe('INTERNAL');
      expect(res.text).not.toContain('disk on fire');
      expect(res.body.requestError.serviceException.text).toContain(res.headers.get('x-request-id'));
    } finally {
      await broken.close();
    }
  });
});
