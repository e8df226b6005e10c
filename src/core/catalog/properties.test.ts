// Properties that must hold for all inputs: round trips, subset soundness, deny wins, compiler totality.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseScopePattern, printScopePattern } from './scope-pattern.js';
import { parseScopeTemplate, printScopeTemplate } from './scope-template.js';
import { parseQuery, printQuery, type Query } from './parse-query.js';
import { compileCatalog } from './compile-catalog.js';
import { loadCatalog } from './load-catalog.js';
import type { CatalogDocument } from './catalog-types.js';
import { scopeCovers } from '../scope.js';
import type { Scope } from '../types.js';

const seg = fc.constantFrom('a', 'b', 'c');
const segOrStar = fc.constantFrom('a', 'b', 'c', '*');
const pattern = fc.array(segOrStar, { minLength: 1, maxLength: 4 }).map((s) => s.join(':'));
const concrete = fc.array(seg, { minLength: 1, maxLength: 4 }).map((s) => s.join(':'));
const perms = fc.record({ scopes: fc.array(pattern, { maxLength: 4 }), deny: fc.array(pattern, { maxLength: 2 }) });

/** Small random catalogs over a tiny alphabet, so that scopes, includes and denies actually meet. */
const catalogDoc: fc.Arbitrary<CatalogDocument> = fc
  .uniqueArray(
    fc.record({
      segs: fc.array(fc.constantFrom('a', 'b', 'c', '{p}'), { minLength: 1, maxLength: 3 }),
      optional: fc.boolean(),
      includes: fc.array(pattern, { maxLength: 2 }),
    }),
    { maxLength: 6, selector: (s) => s.segs.join(':') },
  )
  .map((defs) => ({
    version: 1 as const,
    name: 'random',
    scopes: defs.map((d) => {
      const body = d.segs.map((s, i) => (s === '{p}' ? `{p${i}}` : s)).join(':');
      return { scope: d.optional ? `${body}[:{id}]` : body, includes: d.includes };
    }),
  }));

/** Reference matcher for the plain grammar, written independently of `covers`. */
function plainMatch(held: string, scope: string): boolean {
  const h = held.split(':');
  const s = scope.split(':');
  if (h[h.length - 1] === '*') {
    if (s.length < h.length) return false;
    return h.slice(0, -1).every((x, i) => x === '*' || x === s[i]);
  }
  return h.length === s.length && h.every((x, i) => x === '*' || x === s[i]);
}

const query: fc.Arbitrary<Query> = fc.letrec<{ q: Query }>((tie) => ({
  q: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    pattern.map((scope) => ({ kind: 'scope' as const, scope })),
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), items: fc.array(tie('q'), { minLength: 2, maxLength: 3 }) }),
  ),
})).q.map(normalize);

function normalize(q: Query): Query {
  if (q.kind === 'scope') return q;
  const items = q.items.map(normalize).flatMap((i) => (i.kind === q.kind ? i.items : [i]));
  return { kind: q.kind, items };
}

describe('properties', () => {
  it('scope patterns and templates print and parse back', () => {
    fc.assert(fc.property(pattern, (p) => printScopePattern(parseScopePattern(p) ?? []) === p));
    const template = fc
      .tuple(fc.array(fc.constantFrom('a', 'b', '*', '{x}', '{y}'), { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([s, opt]) => s.map((v, i) => (v.startsWith('{') ? `{${v.slice(1, -1)}${i}}` : v)).join(':') + (opt ? '[:{id}]' : ''));
    fc.assert(fc.property(template, (t) => {
      const parsed = parseScopeTemplate(t);
      return !('error' in parsed) && printScopeTemplate(parsed) === t;
    }));
  });

  it('queries print and parse back', () => {
    fc.assert(fc.property(query, (q) => {
      const parsed = parseQuery(printQuery(q));
      expect(parsed).toEqual({ ok: true, query: q });
    }));
  });

  it('without catalog structure, grants agree with the plain wildcard grammar', () => {
    const empty = compileCatalog({ version: 1, name: 'empty' });
    if (!empty.ok) throw new Error('empty');
    fc.assert(fc.property(pattern, concrete, (held, scope) => empty.catalog.grants({ scopes: [held] }, scope) === plainMatch(held, scope)));
    // …and with core/scope.ts, which checks tokens made before any catalog exists.
    fc.assert(fc.property(pattern, pattern, (held, required) => empty.catalog.grants({ scopes: [held] }, required) === scopeCovers(held as Scope, required as Scope)));
  });

  it('if A ⊆ B then every check A passes, B passes', () => {
    fc.assert(
      fc.property(catalogDoc, perms, perms, fc.array(pattern, { minLength: 1, maxLength: 5 }), (doc, a, b, checks) => {
        const c = compileCatalog(doc);
        fc.pre(c.ok);
        if (!c.ok) return;
        const cat = c.catalog;
        fc.pre(cat.isSubset(a, b).ok);
        for (const r of checks) if (cat.grants(a, r)) expect(cat.grants(b, r), `${r}`).toBe(true);
        for (const r of checks) if (cat.isSubset({ scopes: [r] }, a).ok) expect(cat.isSubset({ scopes: [r] }, b).ok).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('a permission set is a subset of itself', () => {
    fc.assert(fc.property(catalogDoc, perms, (doc, a) => {
      const c = compileCatalog(doc);
      return !c.ok || c.catalog.isSubset(a, a).ok;
    }));
  });

  it('a deny always wins', () => {
    fc.assert(
      fc.property(catalogDoc, perms, pattern, concrete, (doc, p, deny, r) => {
        const c = compileCatalog(doc);
        fc.pre(c.ok && plainMatch(deny, r));
        if (!c.ok) return;
        expect(c.catalog.grants({ scopes: [...p.scopes, '*'], deny: [...p.deny, deny] }, r)).toBe(false);
      }),
    );
  });

  it('random catalogs never make the compiler throw, only report issues', () => {
    const anyDoc = fc.record(
      {
        version: fc.constantFrom(1, 2, 'x'),
        name: fc.string(),
        scopes: fc.array(fc.record({ scope: fc.string({ maxLength: 12 }), includes: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), requires: fc.string({ maxLength: 8 }) }, { requiredKeys: ['scope'] })),
        endpoints: fc.array(fc.record({ endpoint: fc.string({ maxLength: 16 }).map((s) => `GET /${s}`), scopes: fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }) })),
        templates: fc.array(fc.record({ id: fc.string(), name: fc.string(), scopes: fc.array(fc.string({ maxLength: 8 })) })),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(fc.oneof(anyDoc, fc.anything()), (doc) => {
      const r = loadCatalog(JSON.stringify(doc) ?? 'null', 'json');
      if (!r.ok) {
        expect(r.errors.length).toBeGreaterThan(0);
        for (const e of r.errors) expect(e.message).not.toContain('could not be compiled');
      }
    }), { numRuns: 300 });
    fc.assert(fc.property(catalogDoc, (doc) => {
      const r = compileCatalog(doc);
      if (!r.ok) for (const e of r.errors) expect(e.message).not.toContain('could not be compiled');
    }));
  });
});
