/**
 * Serves the built web console (console/dist) under /console/, with a fallback to index.html for its own paths, as a
 * careful site: a strict Content-Security-Policy and anti-framing on every answer, no source maps, and the assets the
 * build precompressed (brotli, gzip) chosen by Accept-Encoding.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Resolved from this module, so it works from src/ (tests) and dist/ alike. */
export const defaultConsoleDir = fileURLToPath(new URL('../../console/dist/', import.meta.url));

const hide = { schema: { hide: true } };

/**
 * No inline script or style anywhere (React sets element styles through the CSSOM, which style-src does not govern);
 * the console only talks to its own origin, and no other site may frame it (clickjacking a "Yes, revoke it!").
 */
export const consoleContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export const consoleSecurityHeaders = {
  'Content-Security-Policy': consoleContentSecurityPolicy,
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

const notFound = (reply: FastifyReply) => reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');

export function consoleRoutes(options: { distDir?: string } = {}) {
  const root = options.distDir ?? defaultConsoleDir;
  return async (app: FastifyInstance) => {
    await app.register(async (scope) => {
      // Every answer under /console, the 404s and the 503 included, carries the same headers.
      scope.addHook('onSend', async (_request, reply, payload) => {
        reply.headers(consoleSecurityHeaders);
        return payload;
      });
      scope.get('/console', hide, async (_request, reply) => reply.redirect('/console/', 301));

      if (!existsSync(join(root, 'index.html'))) {
        scope.get('/console/*', hide, async (_request, reply) =>
          reply.code(503).type('text/plain; charset=utf-8').send('The web console is not built. Run `npm run build`, then restart the server.\n'));
        return;
      }

      await scope.register(async (files) => {
        // A source map (a debug build's) is never served: it would publish the console's source.
        files.addHook('onRequest', async (request, reply) => {
          if (request.url.split('?')[0]!.endsWith('.map')) return notFound(reply);
        });
        await files.register(fastifyStatic, {
          root,
          prefix: '/',
          index: ['index.html'],
          cacheControl: false,
          // console/dist holds file.br and file.gz beside each asset (written by the build): sent by Accept-Encoding.
          preCompressed: true,
          // Hashed assets never change; index.html must be fetched fresh so a new build is picked up.
          setHeaders: (res, path) => {
            res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
            res.setHeader('Vary', 'Accept-Encoding');
          },
        });
        // The console routes in the browser (/console/tokens/tok_…): any page path gets the app; missing assets get a 404.
        files.setNotFoundHandler(async (request, reply) => {
          if (request.method !== 'GET' && request.method !== 'HEAD') return notFound(reply);
          if (request.url.startsWith('/console/assets/')) return notFound(reply);
          return reply.sendFile('index.html');
        });
      }, { prefix: '/console' });
    });
  };
}
