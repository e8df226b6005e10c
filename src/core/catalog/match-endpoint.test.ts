// Endpoint matching: static over params, param substitution, hostile paths, and cost independent of catalog size.
import { describe, expect, it } from 'vitest';
import { compileCatalog } from './compile-catalog.js';
import { parseQuery, printQuery } from './parse-query.js';
import type { CatalogDocument } from './catalog-types.js';

function catalogWith(n: number) {
  const doc: CatalogDocument = {
    version: 1,
    name: `n${n}`,
    scopes: [{ scope: 'svc:{svc}:read' }, { scope: 'svc:{svc}:item:{item}' }, { scope: 'me' }],
    endpoints: [
      { endpoint: 'GET /svc/{svc}', scopes: ['svc:{svc}:read'] },
      { endpoint: 'GET /svc/me', scopes: ['me'] },
      { endpoint: 'DELETE /svc/{svc}/items/{item}', scopes: ['svc:{svc}:item:{item}'] },
      ...Array.from({ length: n }, (_, i) => ({ endpoint: `GET /api/v${i}/things/{item}`, scopes: [`svc:s${i}:item:{item}`] })),
    ],
  };
  const r = compileCatalog(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.catalog;
}

describe('matchEndpoint', () => {
  const c = catalogWith(10);
  it.each([
    ['GET', '/svc/billing', 'GET /svc/{svc}', ['svc:billing:read']],
    ['get', '/svc/billing/', 'GET /svc/{svc}', ['svc:billing:read']],
    ['GET', '/svc/me', 'GET /svc/me', ['me']],
    ['GET', '/svc/billing?x=1#f', 'GET /svc/{svc}', ['svc:billing:read']],
    ['DELETE', '/svc/a/items/b%2Dc', 'DELETE /svc/{svc}/items/{item}', ['svc:a:item:b-c']],
    ['GET', '/api/v3/things/t1', 'GET /api/v{i}', ['svc:s3:item:t1']],
  ])('%s %s → %s', (method, path, _, required) => {
    expect(c.matchEndpoint(method, path)?.requiredAnyOf).toEqual(required);
  });

  it.each([
    ['POST', '/svc/billing'],
    ['GET', '/svc'],
    ['GET', '/svc/a:b'],
    ['GET', '/svc/*'],
    ['GET', '/svc/a%3Ab'],
    ['GET', '/svc//x'],
    ['GET', '/svc/../svc/x'],
    ['GET', 'svc/x'],
    ['GET', '/svc/%zz'],
    ['DELETE', '/svc/a/items/b%2Fc'],
  ])('refuses %s %s (no endpoint, or a value that cannot be a scope segment)', (method, path) => {
    expect(c.matchEndpoint(method, path)).toBeUndefined();
  });

  it('stays within 2x when the catalog grows from 10 to 1,000 endpoints', () => {
    const small = catalogWith(10);
    const large = catalogWith(1000);
    const round = (cat: typeof small): number => {
      const start = performance.now();
      for (let i = 0; i < 20_000; i++) cat.matchEndpoint('GET', `/api/v${i % 10}/things/t${i % 7}`);
      return performance.now() - start;
    };
    round(small);
    round(large);
    // Alternating rounds, best of each: a burst of load on this shared machine lands on both sizes alike.
    let bestSmall = Infinity;
    let bestLarge = Infinity;
    for (let run = 0; run < 7; run++) {
      bestSmall = Math.min(bestSmall, round(small));
      bestLarge = Math.min(bestLarge, round(large));
    }
    expect(bestLarge).toBeLessThan(2 * bestSmall + 5);
  });
});

describe('parseQuery', () => {
  it.each([
    ['a', 'a'],
    ['a and b or c', 'a AND b OR c'],
    ['a AND (b OR c)', 'a AND (b OR c)'],
    ['((a))', 'a'],
    ['(a OR b) OR c', 'a OR b OR c'],
    ['message:send OR (sms:message:send AND sms:logs:read)', 'message:send OR sms:message:send AND sms:logs:read'],
  ])('%s prints as %s', (text, printed) => {
    const r = parseQuery(text);
    expect(r.ok && printQuery(r.query)).toBe(printed);
  });

  it.each([
    ['', 'query is empty'],
    ['a AND', 'expected a scope'],
    ['(a', 'expected ")"'],
    ['a b', 'unexpected "b"'],
    ['a:{b}', 'is not a scope'],
    ['OR a', 'unexpected "OR"'],
    ['('.repeat(40) + 'a' + ')'.repeat(40), 'nested too deeply'],
  ])('%s fails: %s', (text, message) => {
    expect(parseQuery(text)).toMatchObject({ ok: false, message: expect.stringContaining(message) });
  });
});
