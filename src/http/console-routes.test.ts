// Serving the console: the redirect, and a clear 503 when console/dist was not built.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { consoleRoutes } from './console-routes.js';

describe('console routes', () => {
  const empty = mkdtempSync(join(tmpdir(), 'tessera-console-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('answers 503 naming `npm run build` when the console is not built, and redirects /console', async () => {
    const app = Fastify();
    await app.register(consoleRoutes({ distDir: empty }));
    const page = await app.inject({ method: 'GET', url: '/console/tokens' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build');
    const root = await app.inject({ method: 'GET', url: '/console/' });
    expect(root.statusCode).toBe(503);
    const bare = await app.inject({ method: 'GET', url: '/console' });
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/console/');
    await app.close();
  });
});
