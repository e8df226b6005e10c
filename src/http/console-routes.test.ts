// Serving the console: the redirect, a clear 503 when console/dist was not built, the security headers on every answer,
// precompressed assets chosen by Accept-Encoding, and no source map ever served.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { compressDir } from './console-precompress.js';
import { consoleContentSecurityPolicy, consoleRoutes } from './console-routes.js';

function expectSecurityHeaders(headers: Record<string, unknown>) {
  expect(headers['content-security-policy']).toBe(consoleContentSecurityPolicy);
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['x-content-type-options']).toBe('nosniff');
}

describe('console routes', () => {
  const empty = mkdtempSync(join(tmpdir(), 'tessera-console-'));
  const built = mkdtempSync(join(tmpdir(), 'tessera-console-built-'));
  const script = `console.log(${JSON.stringify('tessera '.repeat(400))});\n`;
  mkdirSync(join(built, 'assets'));
  writeFileSync(join(built, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/console/assets/app.js"></script>\n'.repeat(4));
  writeFileSync(join(built, 'assets', 'app.js'), script);
  writeFileSync(join(built, 'assets', 'app.js.map'), '{"version":3,"sources":["secret-source.tsx"]}');
  compressDir(built);
  afterAll(() => {
    rmSync(empty, { recursive: true, force: true });
    rmSync(built, { recursive: true, force: true });
  });

  it('answers 503 naming `npm run build` when the console is not built, and redirects /console', async () => {
    const app = Fastify();
    await app.register(consoleRoutes({ distDir: empty }));
    const page = await app.inject({ method: 'GET', url: '/console/tokens' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build');
    expectSecurityHeaders(page.headers);
    const root = await app.inject({ method: 'GET', url: '/console/' });
    expect(root.statusCode).toBe(503);
    const bare = await app.inject({ method: 'GET', url: '/console' });
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/console/');
    await app.close();
  });

  it('sends the CSP, anti-framing and referrer headers on pages, assets and 404s alike', async () => {
    const app = Fastify();
    await app.register(consoleRoutes({ distDir: built }));
    for (const url of ['/console/', '/console/tokens/tok_1', '/console/assets/app.js', '/console/assets/missing.js', '/console']) {
      const answer = await app.inject({ method: 'GET', url });
      expectSecurityHeaders(answer.headers);
    }
    expect(consoleContentSecurityPolicy).not.toContain('unsafe-inline');
    expect(consoleContentSecurityPolicy).toContain("frame-ancestors 'none'");
    await app.close();
  });

  it('sends brotli, gzip or identity by Accept-Encoding, with Vary: Accept-Encoding', async () => {
    const app = Fastify();
    await app.register(consoleRoutes({ distDir: built }));
    const asset = (encoding?: string) =>
      app.inject({ method: 'GET', url: '/console/assets/app.js', headers: encoding ? { 'accept-encoding': encoding } : {} });

    const br = await asset('gzip, deflate, br');
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(script);
    expect(br.rawPayload.length).toBeLessThan(script.length / 4);

    const gz = await asset('gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(script);

    const plain = await asset();
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
    expect(plain.headers.vary).toMatch(/Accept-Encoding/i);

    // A page path falls back to index.html, compressed as well.
    const page = await app.inject({ method: 'GET', url: '/console/tokens/tok_1', headers: { 'accept-encoding': 'br' } });
    expect(page.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(page.rawPayload).toString()).toContain('<div id="root">');
    await app.close();
  });

  it('never serves a source map, even one left in console/dist', async () => {
    const app = Fastify();
    await app.register(consoleRoutes({ distDir: built }));
    for (const url of ['/console/assets/app.js.map', '/console/assets/app.js.map?x=1', '/console/assets/app.js.map.br']) {
      const answer = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br' } });
      expect(answer.statusCode).toBe(404);
      expect(answer.body).not.toContain('secret-source');
    }
    await app.close();
  });
});
