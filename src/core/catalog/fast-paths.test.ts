// The fast paths (grant tries, resource verdicts, boolean checks) against the linear reference semantics.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { covers, isSegment, overlaps, parseScopePattern, SEGMENT_RE, type ScopePattern } from './scope-pattern.js';
import { DefinitionIndex } from './definition-index.js';
import { findCover, findDeny, holdsSome, isCovered, isDenied, preparePermissions, type PreparedPermissions } from './prepare-permissions.js';
import type { Grant } from './expand-scopes.js';
import { loadCatalog } from './load-catalog.js';
import type { CatalogDocument } from './catalog-types.js';

/** The former linear `findCover`: grants with the same first segment in order, then those starting with `*`. */
function refFindCover(set: PreparedPermissions, p: ScopePattern): Grant | undefined {
  const first = p[0];
  if (first !== undefined && first !== '*') {
    for (const g of set.allow) if (g.pattern[0] === first && covers(g.pattern, p)) return g;
  }
  for (const g of set.allow) if (g.pattern[0] === '*' && covers(g.pattern, p)) return g;
  return undefined;
}
const refFindDeny = (set: PreparedPermissions, p: ScopePattern): Grant | undefined => set.denies.find((d) => overlaps(d.pattern, p));
const refHoldsSome = (set: PreparedPermissions, p: ScopePattern): Grant | undefined =>
  set.allow.find((g) => overlaps(g.pattern, p) && !set.denies.some((d) => covers(d.pattern, g.pattern)));

const segOrStar = fc.constantFrom('a', 'b', 'c', '*');
const patternArb = fc.array(segOrStar, { minLength: 1, maxLength: 5 });
const noDefs = new DefinitionIndex([]);

describe('grant tries answer as the linear scans did', () => {
  it('findCover / findDeny / holdsSome and their boolean forms, on random grants and queries', () => {
    fc.assert(
      fc.property(fc.array(patternArb, { maxLength: 12 }), fc.array(patternArb, { maxLength: 5 }), patternArb, (allow, deny, p) => {
        const set = preparePermissions({ scopes: allow.map((s) => s.join(':')), deny: deny.map((s) => s.join(':')) }, noDefs);
        expect(findCover(set, p)).toBe(refFindCover(set, p));
        expect(findDeny(set, p)).toBe(refFindDeny(set, p));
        expect(holdsSome(set, p)).toBe(refHoldsSome(set, p));
        expect(isCovered(set, p)).toBe(refFindCover(set, p) !== undefined);
        expect(isDenied(set, p)).toBe(refFindDeny(set, p) !== undefined);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('isSegment', () => {
  it('equals SEGMENT_RE', () => {
    const ch = fc.constantFrom('a', 'Z', '0', '_', '.', '-', ':', '*', ' ', '\n', 'é', '/', '%', '{');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(ch, { maxLength: 6 }).map((c) => c.join(''))), (s) => {
        expect(isSegment(s)).toBe(SEGMENT_RE.test(s));
      }),
      { numRuns: 3000 },
    );
  });
});

/** Random resource catalogs: the id at different positions, extra params, and scopes whose includes or requires reach them. */
const catalogArb: fc.Arbitrary<CatalogDocument> = fc
  .record({
    patterns: fc.array(fc.constantFrom('{id}:{action}', 'r:{id}:{action}', '{action}:{id}', 'r:{t}:{id}:{action}', '{id}:x:{action}'), {
      minLength: 2,
      maxLength: 2,
    }),
    includes: fc.array(fc.array(fc.constantFrom('r', 'x', 'y', 'i1', '*'), { minLength: 1, maxLength: 4 }), { maxLength: 2 }),
    requires: fc.boolean(),
  })
  .map(({ patterns, includes, requires }) => ({
    version: 1 as const,
    name: 'random-resources',
    scopes: [
      ...(includes.length > 0 ? [{ scope: 'admin', includes: includes.map((i) => i.join(':')) }] : []),
      ...(requires ? [{ scope: 'r:{t}:i1:x', requires: 'admin' }] : []),
    ],
    resources: patterns.map((pattern, k) => ({ type: `t${k}`, name: `T${k}`, pattern, actions: [{ name: 'x' }, { name: 'y' }] })),
  }));

const grantSeg = fc.constantFrom('r', 'x', 'y', 'i1', 'i2', '*', 'admin');
const grantArb = fc.array(grantSeg, { minLength: 1, maxLength: 4 }).map((s) => s.join(':'));

describe('checkResourceAction fast path', () => {
  it('equals the generic path (printed scope through checkScope), including repeated checks', () => {
    fc.assert(
      fc.property(
        catalogArb,
        fc.array(grantArb, { maxLength: 8 }),
        fc.array(grantArb, { maxLength: 3 }),
        fc.array(fc.tuple(fc.constantFrom('t0', 't1', 't9'), fc.constantFrom('i1', 'i2', 'i3', '*', 'a:b', '', 'x'.repeat(600)), fc.constantFrom('x', 'y', 'z')), {
          minLength: 1,
          maxLength: 8,
        }),
        (doc, scopes, deny, queries) => {
          const loaded = loadCatalog(JSON.stringify(doc), 'json');
          if (!loaded.ok) return; // e.g. an include that matches no declared scope
          const catalog = loaded.catalog;
          const set = catalog.prepare({ scopes: scopes.filter((s) => parseScopePattern(s)), deny });
          for (const [type, id, action] of [...queries, ...queries]) {
            const scope = catalog.resourceScope(type, id, action);
            const generic = scope !== undefined && catalog.checkScope(set, scope).allowed;
            expect(catalog.checkResourceAction(set, type, id, action)).toBe(generic);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('grants (boolean path)', () => {
  it('equals checkScope(...).allowed, with requires and bindings', () => {
    const doc: CatalogDocument = {
      version: 1,
      name: 'req',
      scopes: [
        { scope: 'user_id:{user_id}' },
        { scope: 'read:messages', requires: 'user_id:{user_id}' },
        { scope: 'message:send', includes: ['sms:message:send', 'email:message:send'] },
        { scope: 'sms:message:send' },
        { scope: 'email:message:send' },
        { scope: 'read:brands[:{brand_id}]' },
      ],
    };
    const loaded = loadCatalog(JSON.stringify(doc), 'json');
    if (!loaded.ok) throw new Error('fixture catalog');
    const catalog = loaded.catalog;
    const scope = fc.constantFrom('user_id:*', 'user_id:u1', 'read:messages', 'message:send', 'sms:message:send', 'email:*:*', 'read:brands', 'read:brands:b1', '*', 'bad scope');
    fc.assert(
      fc.property(fc.array(scope, { maxLength: 5 }), fc.array(scope, { maxLength: 2 }), scope, fc.option(fc.constantFrom('u1', 'u2')), (scopes, deny, required, user) => {
        const set = catalog.prepare({ scopes, deny });
        const bindings: Record<string, string> = user === null ? {} : { user_id: user };
        expect(catalog.grants(set, required, bindings)).toBe(catalog.checkScope(set, required, bindings).allowed);
      }),
      { numRuns: 2000 },
    );
  });
});
