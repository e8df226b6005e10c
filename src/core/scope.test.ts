import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_SCOPE_LENGTH,
  MAX_SCOPE_SEGMENTS,
  type Permissions,
  normalizeScopes,
  parseScope,
  permits,
  scopeCovers,
  scopesOverlap,
} from './scope.js';
import type { Scope } from './types.js';

const s = (text: string): Scope => text as Scope;
const set = (scopes: string[], deny: string[] = []): Permissions => ({ scopes: scopes.map(s), deny: deny.map(s) });

// ---- Brute-force reference semantics -------------------------------------------------------------------
// Patterns use segments {a, b, *} and at most 4 segments. Concrete scopes use {a, b, c}, where `c` stands for
// "any segment no pattern names", and at most 5 segments: beyond 4 every pattern is in its open tail, so
// lengths above 5 behave like 5. Under these bounds the finite reference is exact, not an approximation.

const refRegexes = new Map<string, RegExp>();
/** Independent matcher: the pattern as a regular expression over the concrete scope string. */
function refMatches(pattern: string, concrete: string): boolean {
  let regex = refRegexes.get(pattern);
  if (regex === undefined) {
    const parts = pattern.split(':');
    const source = parts
      .map((seg, i) => (seg !== '*' ? seg : i === parts.length - 1 ? '[^:]+(?::[^:]+)*' : '[^:]+'))
      .join(':');
    regex = new RegExp(`^${source}$`);
    refRegexes.set(pattern, regex);
  }
  return regex.test(concrete);
}

const CONCRETE: string[] = (() => {
  const out: string[] = [];
  let level = ['a', 'b', 'c'];
  for (let length = 1; length <= 5; length++) {
    out.push(...level);
    level = level.flatMap((x) => ['a', 'b', 'c'].map((y) => `${x}:${y}`));
  }
  return out;
})();

const refCovers = (g: string, r: string): boolean => CONCRETE.every((c) => !refMatches(r, c) || refMatches(g, c));
const refOverlap = (x: string, y: string): boolean => CONCRETE.some((c) => refMatches(x, c) && refMatches(y, c));
const refPermits = (p: Permissions, c: string): boolean =>
  p.scopes.some((g) => refMatches(g, c)) && !p.deny.some((d) => refMatches(d, c));

function isSubsequence<T>(part: readonly T[], whole: readonly T[]): boolean {
  let at = 0;
  for (const x of whole) if (at < part.length && part[at] === x) at++;
  return at === part.length;
}

const patternArb = fc
  .array(fc.constantFrom('a', 'b', '*'), { minLength: 1, maxLength: 4 })
  .map((segments) => s(segments.join(':')));
const permissionSetArb = fc.record({
  scopes: fc.array(patternArb, { maxLength: 3 }),
  deny: fc.array(patternArb, { maxLength: 2 }),
});

// ---- Tables ---------------------------------------------------------------------------------------------

describe('parseScope', () => {
  it.each(['*', 'tokens:create', 'tokens:*', 'device:*:ReadBucket', 'a.b-c_d:9', `${'a:'.repeat(15)}a`])(
    'accepts %j unchanged',
    (text) => {
      expect(parseScope(text)).toEqual({ ok: true, scope: text });
    },
  );

  it.each([
    ['', /empty/],
    [':', /segment 1 is empty/],
    ['tokens:', /segment 2 is empty/],
    ['a::b', /segment 2 is empty/],
    ['tokens:cre*', /segment 2/],
    ['**', /segment 1/],
    ['a b', /segment 1/],
    ['tenant:{tenant_id}', /segment 2/],
    ['é', /segment 1/],
    [`${'a:'.repeat(MAX_SCOPE_SEGMENTS)}a`, /segments/],
    ['a'.repeat(MAX_SCOPE_LENGTH + 1), new RegExp(`${MAX_SCOPE_LENGTH} characters`)],
  ])('refuses %j', (text, problem) => {
    const result = parseScope(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(problem);
  });
});

describe('scopeCovers', () => {
  it.each([
    ['*', 'tokens', true],
    ['*', 'tokens:create:x', true],
    ['*', '*', true],
    ['*', 'a:*', true],
    ['tokens:*', 'tokens:create', true],
    ['tokens:*', 'tokens:a:b', true],
    ['tokens:*', 'tokens', false],
    ['tokens:*', 'tokens:*', true],
    ['tokens:*', 'tokens:*:x', true],
    ['tokens:*', '*', false],
    ['tokens:create', 'tokens:create', true],
    ['tokens:create', 'tokens:*', false],
    ['tokens:create', 'tokens', false],
    ['tokens', 'tokens:create', false],
    ['*:message:send', 'sms:message:send', true],
    ['*:message:send', 'sms:message:send:x', false],
    ['*:message:send', 'message:send', false],
    ['*:message:send', '*:message:send', true],
    ['sms:message:send', '*:message:send', false],
    ['device:*:read', 'device:*:*', false],
    ['device:*:*', 'device:*:read', true],
    ['device:*:*', 'device:d1', false],
    ['a:*:c', 'a:b:c', true],
    ['a:*:c', 'a:b:d', false],
    ['a:*', 'b:*', false],
  ])('%s covers %s → %s', (granted, required, expected) => {
    expect(scopeCovers(s(granted), s(required))).toBe(expected);
  });
});

describe('scopesOverlap', () => {
  it.each([
    ['*', 'anything:at:all', true],
    ['tokens:*', 'tokens', false],
    ['tokens:*', '*:create', true],
    ['tokens:*', '*:*:x', true],
    ['a:*:c', 'a:b:*', true],
    ['a:*:c', 'a:b:d', false],
    ['a:*:c', 'a:b', false],
    ['a:b', 'a:b:c', false],
    ['a:*', 'b:*', false],
    ['*:b', 'a:*', true],
    ['*:b', 'a:b:c', false],
    ['x:*', 'x:*:*:y', true],
  ])('%s ∩ %s → %s', (x, y, expected) => {
    expect(scopesOverlap(s(x), s(y))).toBe(expected);
    expect(scopesOverlap(s(y), s(x))).toBe(expected);
  });
});

describe('permits', () => {
  it.each([
    [set(['*']), 'tokens:create', true],
    [set(['*'], ['tokens:*']), 'tokens:create', false],
    [set(['*'], ['tokens:*']), 'tokens', true],
    [set(['*'], ['tokens:revoke']), 'tokens:*', false],
    [set(['tokens:*'], ['*:revoke']), 'tokens:create', true],
    [set(['tokens:*'], ['*:revoke']), 'tokens:revoke', false],
    [set(['sms:message:send', 'viber:*']), 'viber:message:send', true],
    [set(['sms:message:send']), 'viber:message:send', false],
    [set([]), 'anything', false],
    [set(['a:b'], ['a:b']), 'a:b', false],
  ])('%j permits %s → %s', (permissionSet, required, expected) => {
    expect(permits(permissionSet, s(required))).toBe(expected);
  });
});

describe('normalizeScopes', () => {
  it.each([
    [['a', 'b', 'a'], ['a', 'b']],
    [['tokens:read', 'tokens:*', 'audit:read'], ['tokens:*', 'audit:read']],
    [['x:y', '*', 'z'], ['*']],
    [['a:*:c', 'a:b:c', 'a:b'], ['a:*:c', 'a:b']],
    [[], []],
  ])('%j → %j', (input, expected) => {
    expect(normalizeScopes(input.map(s))).toEqual(expected);
  });
});

// ---- Properties against the reference --------------------------------------------------------------------

describe('scope algebra agrees with brute-force semantics', () => {
  it('scopeCovers', () => {
    fc.assert(
      fc.property(patternArb, patternArb, (g, r) => {
        expect(scopeCovers(g, r)).toBe(refCovers(g, r));
      }),
      { numRuns: 1000 },
    );
  });

  it('scopesOverlap', () => {
    fc.assert(
      fc.property(patternArb, patternArb, (x, y) => {
        expect(scopesOverlap(x, y)).toBe(refOverlap(x, y));
      }),
      { numRuns: 1000 },
    );
  });

  it('permits on concrete scopes', () => {
    fc.assert(
      fc.property(permissionSetArb, fc.constantFrom(...CONCRETE), (p, c) => {
        expect(permits(p, s(c))).toBe(refPermits(p, c));
      }),
      { numRuns: 1000 },
    );
  });

  it('a deny always wins', () => {
    fc.assert(
      fc.property(permissionSetArb, patternArb, (p, required) => {
        if (p.deny.some((d) => scopeCovers(d, required))) expect(permits(p, required)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('normalizeScopes keeps order, drops only covered scopes, and covers everything it dropped', () => {
    fc.assert(
      fc.property(fc.array(patternArb, { maxLength: 6 }), (input) => {
        const out = normalizeScopes(input);
        expect(isSubsequence(out, input)).toBe(true);
        expect(new Set(out).size).toBe(out.length);
        for (const x of input) expect(out.some((y) => scopeCovers(y, x))).toBe(true);
        for (const [i, x] of out.entries()) {
          expect(out.some((y, j) => j !== i && scopeCovers(y, x))).toBe(false);
        }
      }),
    );
  });
});

describe('parseScope properties', () => {
  const segmentArb = fc.oneof(fc.constant('*'), fc.stringMatching(/^[A-Za-z0-9_.-]{1,14}$/));

  it('round-trips every valid scope', () => {
    fc.assert(
      fc.property(fc.array(segmentArb, { minLength: 1, maxLength: MAX_SCOPE_SEGMENTS }), (segments) => {
        const text = segments.join(':');
        fc.pre(text.length <= MAX_SCOPE_LENGTH);
        expect(parseScope(text)).toEqual({ ok: true, scope: text });
      }),
    );
  });

  it('accepts exactly the grammar', () => {
    const grammar = /^(?:\*|[A-Za-z0-9_.-]+)(?::(?:\*|[A-Za-z0-9_.-]+))*$/;
    const charArb = fc.constantFrom('a', 'Z', '9', '_', '.', '-', '*', ':', ' ', '{', 'é');
    fc.assert(
      fc.property(fc.string({ unit: charArb, maxLength: 12 }), (text) => {
        expect(parseScope(text).ok).toBe(grammar.test(text));
      }),
      { numRuns: 2000 },
    );
  });
});
