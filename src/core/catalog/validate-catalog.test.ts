// Validation: every kind of bad catalog is refused with the path (and YAML line) of the offending entry.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from './load-catalog.js';
import { parseCatalog } from './parse-catalog.js';

const head = 'version: 1\nname: t\n';
function errors(yaml: string): { path: string; line?: number; message: string }[] {
  const r = loadCatalog(head + yaml, 'yaml');
  return r.ok ? [] : r.errors;
}

describe('catalog validation', () => {
  it.each([
    ['unknown field', 'scopes:\n  - scope: a\n    colour: red\n', 'scopes[0].colour', 5, 'is not a known field'],
    ['missing field', 'templates:\n  - id: x\n    name: X\n', 'templates[0].scopes', 4, 'is required'],
    ['wrong type', 'scopes: nope\n', 'scopes', 3, 'must be an array'],
    ['bad scope', 'scopes:\n  - scope: "a:{b"\n', 'scopes[0].scope', 4, 'bad scope'],
    ['wildcard in a declared scope', 'scopes:\n  - scope: "a:*"\n', 'scopes[0].scope', 4, 'cannot contain'],
    ['duplicate scope', 'scopes:\n  - scope: "t:{a}"\n  - scope: "t:{b}"\n', 'scopes[1]', 5, 'already declared at scopes[0]'],
    ['bad include pattern', 'scopes:\n  - scope: a\n    includes: ["b c"]\n', 'scopes[0].includes[0]', 5, 'bad pattern'],
    ['unknown include', 'scopes:\n  - scope: a\n    includes: [nope]\n', 'scopes[0].includes[0]', 5, 'matches no declared scope'],
    ['include with a foreign param', 'scopes:\n  - scope: a\n    includes: ["b:{x}"]\n  - scope: "b:{x}"\n', 'scopes[0].includes[0]', 5, 'not a parameter'],
    ['unknown requires', 'scopes:\n  - scope: a\n    requires: "user:{id}"\n', 'scopes[0].requires', 5, 'matches no declared scope'],
    ['cycle', 'scopes:\n  - { scope: a, includes: [b] }\n  - { scope: b, includes: [c] }\n  - { scope: c, includes: [a] }\n', 'scopes[2].includes[0]', 6, 'cycle: a → b → c → a'],
    ['wildcard cycle', 'scopes:\n  - { scope: a, includes: ["b:*"] }\n  - { scope: b:x, includes: [a] }\n', 'scopes[1].includes[0]', 5, 'cycle'],
    ['template naming an unknown scope', 'scopes: [{ scope: a }]\ntemplates:\n  - { id: t, name: T, scopes: [a, zz] }\n', 'templates[0].scopes[1]', 5, 'matches no declared scope'],
    ['duplicate template', 'scopes: [{ scope: a }]\ntemplates:\n  - { id: t, name: T, scopes: [a] }\n  - { id: t, name: T, scopes: [a] }\n', 'templates[1].id', 6, 'already declared'],
    ['duplicate endpoint', 'scopes: [{ scope: a }]\nendpoints:\n  - { endpoint: GET /x, scopes: [a] }\n  - { endpoint: GET /x, scopes: [a] }\n', 'endpoints[1].endpoint', 6, 'declared twice'],
    ['ambiguous endpoint', 'scopes: [{ scope: a }]\nendpoints:\n  - { endpoint: "GET /x/{a}", scopes: [a] }\n  - { endpoint: "GET /x/{b}", scopes: [a] }\n', 'endpoints[1].endpoint', 6, 'ambiguous'],
    ['bad method', 'scopes: [{ scope: a }]\nendpoints:\n  - { endpoint: FETCH /x, scopes: [a] }\n', 'endpoints[0].endpoint', 5, 'must match'],
    ['endpoint scope with unknown param', 'scopes: [{ scope: "a:{id}" }]\nendpoints:\n  - { endpoint: "GET /x/{key}", scopes: ["a:{id}"] }\n', 'endpoints[0].scopes[0]', 5, '{id} is not a parameter'],
    ['endpoint with an unknown scope', 'scopes: [{ scope: a }]\nendpoints:\n  - { endpoint: GET /x, scopes: [b] }\n', 'endpoints[0].scopes[0]', 5, 'not a declared scope'],
    ['service naming an unknown scope', 'scopes: [{ scope: a }]\nservices:\n  - id: s\n    name: S\n    groups:\n      - { id: g, name: G, permissions: [a, b] }\n', 'services[0].groups[0].permissions[1]', 8, 'matches no declared scope'],
    ['resource without {action}', 'resources:\n  - { type: d, name: D, pattern: "d:{id}", actions: [{ name: A }] }\n', 'resources[0].pattern', 4, '{id} and {action}'],
    ['duplicate action', 'resources:\n  - { type: d, name: D, actions: [{ name: A }, { name: A }] }\n', 'resources[0].actions[1].name', 4, 'listed twice'],
  ])('%s', (_, yaml, path, line, message) => {
    const found = errors(yaml);
    expect(found).toContainEqual({ path, line, message: expect.stringContaining(message) });
  });

  it('reports YAML syntax errors with their line', () => {
    const r = parseCatalog('version: 1\nname: [unclosed\n', 'yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ path: '', line: expect.any(Number), message: expect.stringContaining('invalid YAML') });
  });

  it('reads JSON with paths and lines', () => {
    const json = '{\n  "version": 1,\n  "name": "t",\n  "scopes": [\n    { "scope": "a", "includes": ["zz"] }\n  ]\n}';
    const r = loadCatalog(json, 'json');
    expect(r).toEqual({ ok: false, errors: [{ path: 'scopes[0].includes[0]', line: 5, message: 'matches no declared scope' }] });
    expect(loadCatalog('{"version": 1', 'json')).toMatchObject({ ok: false, errors: [{ path: '', message: expect.stringContaining('invalid JSON') }] });
  });

  it('accepts a family closure (sms:manage → sms:*) and a wildcard admin without calling them cycles', () => {
    expect(errors('scopes:\n  - { scope: sms:manage, includes: ["sms:*"] }\n  - { scope: sms:send }\n  - { scope: admin, includes: ["*"] }\n')).toEqual([]);
  });
});

describe('docs/catalog.md', () => {
  it('publishes the schema the parser enforces', async () => {
    const { readFileSync } = await import('node:fs');
    const { catalogSchema } = await import('./catalog-schema.js');
    const page = readFileSync(new URL('../../../docs/catalog.md', import.meta.url), 'utf8');
    expect(page).toContain(JSON.stringify(catalogSchema, null, 2));
  });
});
