/** Serves the built web console (console/dist) under /console/, with a fallback to index.html for its own paths. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Resolved from this module, so it works from src/ (tests) and dist/ alike. */
export const defaultConsoleDir = fileURLToPath(new URL('../../console/dist/', import.meta.url));

const hide = { schema: { hide: true } };

export function consoleRoutes(options: { distDir?: string } = {}) {
  const root = options.distDir ?? defaultConsoleDir;
  return async (app: FastifyInstance) => {
    app.get('/console', hide, async (_request, reply) => reply.redirect('/console/', 301));

    if (!existsSync(join(root, 'index.html'))) {
      app.get('/console/*', hide, async (_request, reply) =>
        reply.code(503).type('text/plain; charset=utf-8').send('The web console is not built. Run `npm run build`, then restart the server.\n'));
      return;
    }

    await app.register(async (scope) => {
      await scope.register(fastifyStatic, {
        root,
        prefix: '/',
        index: ['index.html'],
        cacheControl: false,
        // Hashed assets never change; index.html must be fetched fresh so a new build is picked up.
        setHeaders: (res, path) => {
          res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
          res.setHeader('X-Content-Type-Options', 'nosniff');
          res.setHeader('Referrer-Policy', 'no-referrer');
        },
      });
      // The console routes in the browser (/console/tokens/tok_…): any page path gets the app; missing assets get a 404.
      scope.setNotFoundHandler(async (request, reply) => {
        if (request.method !== 'GET' && request.method !== 'HEAD') return reply.code(404).type('text/plain').send('Not found\n');
        if (request.url.startsWith('/console/assets/')) return reply.code(404).type('text/plain').send('Not found\n');
        reply.header('Cache-Control', 'no-cache');
        return reply.sendFile('index.html');
      });
    }, { prefix: '/console' });
  };
}
