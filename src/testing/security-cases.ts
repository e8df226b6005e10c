/** The security cases every authenticated route must pass, run through one shared helper. */
import { expect, it } from 'vitest';
import { messageId, type TestApp } from './test-app.js';

export interface RouteUnderTest {
  method: string;
  /** Path, or a function making one (e.g. creating a target token first). */
  path: string | ((app: TestApp) => Promise<string>);
  /** A JSON body. */
  body?: unknown;
  /** A form body (`application/x-www-form-urlencoded`), for the OAuth 2.0 routes. */
  form?: Record<string, string>;
  /** The Tessera permission the route needs; `null` for a route any live token may call (e.g. GET /v1/account). */
  permission: string | null;
}

type Case = { name: string; make: (app: TestApp) => Promise<{ headers: Record<string, string>; after?: () => void }>; status: number; code: string };

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

/** Every way a request can fail to authenticate: 401 with the envelope and an RFC 6750 challenge. */
export const refusalCases: readonly Case[] = [
  { name: 'no token', status: 401, code: 'UNAUTHORIZED', make: async () => ({ headers: {} }) },
  { name: 'malformed token', status: 401, code: 'UNAUTHORIZED', make: async () => ({ headers: bearer('tsr_not-a-token') }) },
  {
    name: 'checksum-failing token', status: 401, code: 'UNAUTHORIZED',
    make: async (app) => ({ headers: bearer(app.rootSecret.slice(0, -1) + (app.rootSecret.endsWith('a') ? 'b' : 'a')) }),
  },
  {
    name: 'revoked token', status: 401, code: 'UNAUTHORIZED',
    make: async (app) => {
      const t = await app.createToken({ name: 'revoked', scopes: ['*'] });
      await app.request('POST', `/v1/tokens/${t.id}/revoke`, { token: app.rootSecret });
      return { headers: bearer(t.secret) };
    },
  },
  {
    name: 'expired token', status: 401, code: 'UNAUTHORIZED',
    make: async (app) => {
      const t = await app.createToken({ name: 'expiring', scopes: ['*'], expiresAt: new Date(app.clock.ms + 60_000).toISOString() });
      app.clock.advance(120);
      return { headers: bearer(t.secret), after: () => app.clock.advance(-120) };
    },
  },
  {
    name: 'not yet valid token', status: 401, code: 'UNAUTHORIZED',
    make: async (app) => {
      const t = await app.createToken({ name: 'later', scopes: ['*'], validFrom: new Date(app.clock.ms + 3_600_000).toISOString() });
      return { headers: bearer(t.secret) };
    },
  },
  {
    name: 'disabled token', status: 401, code: 'UNAUTHORIZED',
    make: async (app) => {
      const t = await app.createToken({ name: 'off', scopes: ['*'], enabled: false });
      return { headers: bearer(t.secret) };
    },
  },
  {
    name: 'token used from an address outside its allowed IPs', status: 401, code: 'UNAUTHORIZED',
    make: async (app) => {
      const t = await app.createToken({ name: 'fenced', scopes: ['*'], allowedIps: ['10.20.30.0/24', '2001:db8::/32'] });
      return { headers: bearer(t.secret) };
    },
  },
];

function send(app: TestApp, route: RouteUnderTest, path: string, headers: Record<string, string>) {
  if (route.form !== undefined) {
    return app.request(route.method, path, {
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(route.form).toString(),
    });
  }
  return app.request(route.method, path, { headers, ...(route.body === undefined ? {} : { body: route.body }) });
}

/** Registers one `it` per case for the route: each gets the right status, envelope code and RFC 6750 header. */
export function itRefusesUnauthorised(getApp: () => TestApp, route: RouteUnderTest): void {
  it.each(refusalCases)(`${route.method} refuses: $name`, async ({ make, status, code }) => {
    const app = getApp();
    const path = typeof route.path === 'string' ? route.path : await route.path(app);
    const { headers, after } = await make(app);
    try {
      const res = await send(app, route, path, headers);
      expect(res.status).toBe(status);
      expect(messageId(res)).toBe(code);
      const challenge = res.headers.get('www-authenticate');
      expect(challenge).toMatch(/^Bearer realm="tessera"/);
      if (headers.authorization) expect(challenge).toContain('error="invalid_token"');
    } finally {
      after?.();
    }
  });

  const { permission } = route;
  if (permission === null) return;
  it(`${route.method} refuses a token without ${permission} (403, insufficient_scope)`, async () => {
    const app = getApp();
    const path = typeof route.path === 'string' ? route.path : await route.path(app);
    // A built-in permission other than the one needed: known to every catalog, useless here.
    const other = permission === 'usage:read' ? 'endpoints:manage' : 'usage:read';
    const t = await app.createToken({ name: 'powerless', scopes: [other] });
    const res = await send(app, route, path, bearer(t.secret));
    expect(res.status).toBe(403);
    expect(messageId(res)).toBe('FORBIDDEN');
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(res.headers.get('www-authenticate')).toContain(`scope="${permission}"`);
  });
}

/**
 * The routes an app has registered, as `METHOD /path` (`:param` kept), read from Fastify's route tree. HEAD,
 * which Fastify adds beside every GET and answers through it, is left out.
 */
export function registeredRoutes(printed: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of printed.split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    for (const method of match[3]?.split(', ') ?? []) {
      if (method !== 'HEAD') routes.push(`${method} ${stack.join('')}`);
    }
  }
  return [...new Set(routes)].sort();
}
