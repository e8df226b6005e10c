/**
 * Schema-driven fuzzing of every operation in the real app's /openapi.json (issue 14, item 5). For each operation,
 * requests with generated path, query, header and body values — valid, boundary, wrong-typed, oversized, unicode,
 * nested thousands deep — sent with the root token. Must hold: no 5xx, an answer within the timeout, every non-2xx
 * in the envelope, and a refused request changes nothing. `FUZZ_RUNS` (runs per operation, default 12) and
 * `FUZZ_SECONDS` (time budget of the random part, default 30) make it longer; see docs/errors.md.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountId } from '../core/types.js';
import { fuzzValue, hostileKinds, minimalValue, toJsonText, toText, type JsonSchema } from '../testing/schema-arbitrary.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const BUDGET_MS = Number(process.env.FUZZ_SECONDS ?? 30) * 1000;
const REQUEST_TIMEOUT_MS = 5_000;

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: { type: string; schema: JsonSchema; required: boolean };
}

interface Generated {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: unknown;
  rawPathSegment: boolean;
}

let t: TestApp;
let accountId: AccountId;
let operations: Operation[];
let endpointIds: string[];

beforeAll(async () => {
  t = await startTestApp();
  // A catalog with endpoints, so that catalog, endpoint and endpoint-token routes have something to act on.
  const source = readFileSync(new URL('../../examples/catalogs/integration.yaml', import.meta.url), 'utf8');
  const applied = await t.request('PUT', '/v1/catalog', { token: t.rootSecret, body: { source, format: 'yaml' } });
  if (applied.status !== 200) throw new Error(`catalog not applied: ${applied.text}`);
  endpointIds = (await t.request('GET', '/v1/endpoints', { token: t.rootSecret })).body.items.map((e: { id: string }) => e.id);
  accountId = (await t.request('GET', '/v1/account', { token: t.rootSecret })).body.id;
  const doc = (await t.request('GET', '/openapi.json')).body;
  operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => {
      const content = op.requestBody?.content ?? {};
      const type = Object.keys(content)[0];
      return {
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []) as Parameter[],
        ...(type ? { body: { type, schema: content[type].schema as JsonSchema, required: op.requestBody.required === true } } : {}),
      };
    }),
  );
});
afterAll(async () => t.close());

/** What a refused request must leave as it was: tokens, the audit chain, catalog, policy, keys, endpoint settings. */
async function snapshot(): Promise<string> {
  const { store } = t;
  const tokens = await store.listTokens({ accountId, status: 'all', now: new Date(t.clock.ms).toISOString() as never, limit: 1000 });
  const chain = await store.readAuditChain(accountId);
  const account = await store.getAccount(accountId);
  const catalog = await store.getCatalogVersion(accountId);
  const keys = await store.listSigningKeys({ accountId, now: new Date(t.clock.ms).toISOString() as never });
  const endpoints = await store.listEndpointSettings(accountId);
  const assignments = await store.listAssignments({ accountId });
  return JSON.stringify({
    tokens: tokens.items.map((k) => [k.id, k.version, k.enabled, k.revokedAt, k.expiresAt, k.validFrom, k.scopes, k.name, k.metadata]),
    audit: chain.head,
    policy: account?.policy,
    catalog: catalog?.version ?? null,
    keys: keys.map((k) => [k.kid, k.retiredAt]),
    endpoints,
    assignments,
  });
}

/**
 * Values that exist for fields whose valid values a schema cannot say (scopes of the catalog, a live token),
 * offered beside the schema's own, so that some requests succeed and reach the code behind validation.
 */
function withHints(schema: JsonSchema, secret: string): JsonSchema {
  const hints: Record<string, JsonSchema> = {
    scopes: { type: 'array', items: { enum: ['tokens:read', 'usage:read', 'endpoint:orders:GET', 'catalog:read'] }, minItems: 1, maxItems: 3 },
    deny: { type: 'array', items: { enum: ['usage:read'] }, maxItems: 1 },
    allowedIps: { type: 'array', items: { enum: ['10.0.0.0/8', '127.0.0.1', '::1/128'] }, maxItems: 2 },
    templates: { type: 'array', maxItems: 0 },
    id: { enum: ['fuzz_a', 'fuzz_b'] },
    scope: { enum: ['tokens:read', 'usage:read endpoint:orders:GET'] },
    token: { enum: [secret] },
  };
  if (!schema.properties) return schema;
  const properties = Object.fromEntries(
    Object.entries(schema.properties).map(([key, s]) => [key, hints[key] ? { anyOf: [hints[key], s] } : withHints(s, secret)]),
  );
  return { ...schema, properties };
}

/** Ids that exist, so that some requests get past NOT_FOUND into the checks behind it. */
async function victim(): Promise<{ ids: string[]; secret: string }> {
  const created = await t.createToken({ name: 'fuzz victim', scopes: ['tokens:read'], metadata: { fuzz: true } });
  return { secret: created.secret, ids: [created.id, 'tok_doesnotexist', 'GET', 'POST', 'DELETE', ...endpointIds.slice(0, 3)] };
}

function requestArbitrary(op: Operation, { ids, secret }: { ids: string[]; secret: string }): fc.Arbitrary<Generated> {
  const of = (where: Parameter['in']) => op.parameters.filter((p) => p.in === where);
  const record = (parameters: Parameter[], pathIds: boolean) =>
    fc.record(
      Object.fromEntries(parameters.map((p) => [p.name, pathIds ? fc.oneof(fc.constantFrom(...ids), fuzzValue(p.schema)) : fuzzValue(p.schema)])),
      { requiredKeys: parameters.filter((p) => p.required).map((p) => p.name) },
    );
  return fc.record({
    params: record(of('path'), true),
    query: record(of('query'), false),
    headers: record(of('header'), false),
    body: op.body ? fc.oneof({ weight: 9, arbitrary: fuzzValue(withHints(op.body.schema, secret)) }, { weight: 1, arbitrary: fc.constant(undefined) }) : fc.constant(undefined),
    rawPathSegment: fc.boolean(),
  });
}

/** Lone surrogates cannot travel in a URL (no UTF-8 for them): U+FFFD, as a browser would send. */
function wellFormed(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Header values as a client can send them: printable ASCII, no surrounding space, under Node's header limit. */
function headerText(value: unknown): string {
  return toText(value).replace(/[^\x21-\x7e]/g, 'x').slice(0, 4000);
}

async function send(op: Operation, g: Generated): Promise<{ status: number; text: string; type: string | null }> {
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = toText(g.params[name] ?? 'x');
    // Now and then a segment as it is: undecodable percent-encoding, slashes, dots.
    return g.rawPathSegment ? value.replace(/[^\x21-\x7e]/g, 'x').replace(/[?#]/g, '') || 'x' : encodeURIComponent(wellFormed(value)) || 'x';
  });
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(g.query)) {
    for (const item of Array.isArray(value) ? value : [value]) query.append(name, toText(item));
  }
  const headers: Record<string, string> = { authorization: `Bearer ${t.rootSecret}` };
  for (const [name, value] of Object.entries(g.headers)) headers[name] = headerText(value);
  let body: string | undefined;
  if (g.body !== undefined && op.body) {
    headers['content-type'] = op.body.type;
    body = op.body.type === 'application/json'
      ? toJsonText(g.body)
      : new URLSearchParams(Object.entries(typeof g.body === 'object' && g.body !== null ? g.body : { value: g.body }).map(([k, v]): [string, string] => [k, toText(v)])).toString();
  }
  // Bodies over the limit are the 413 test's business: a fetch client can get EPIPE instead of the 413 (MACHINE-NOTES).
  fc.pre(body === undefined || Buffer.byteLength(body) < 60_000);
  const url = `${t.baseUrl}${path}${query.size ? `?${query}` : ''}`;
  const res = await fetch(url, { method: op.method, headers, ...(body === undefined ? {} : { body }), redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Every field of the body and every query parameter, in turn, given each hostile kind while the rest stay valid. */
function sweep(op: Operation, known: { ids: string[]; secret: string }): Generated[] {
  const params = Object.fromEntries(op.parameters.filter((p) => p.in === 'path').map((p) => [p.name, known.ids[0]]));
  const cases: Generated[] = [];
  const bodySchema = op.body?.type === 'application/json' ? withHints(op.body.schema, known.secret) : undefined;
  const body = bodySchema ? (minimalValue(bodySchema) as Record<string, unknown>) : undefined;
  for (const [name, schema] of Object.entries(bodySchema?.properties ?? {})) {
    for (const value of hostileKinds(schema)) cases.push({ params, query: {}, headers: {}, body: { ...body, [name]: value }, rawPathSegment: false });
  }
  for (const parameter of op.parameters.filter((p) => p.in === 'query')) {
    for (const value of hostileKinds(parameter.schema)) cases.push({ params, query: { [parameter.name]: value }, headers: {}, body, rawPathSegment: false });
  }
  return cases;
}

const tallies = new Map<string, number>();
afterAll(() => {
  if (process.env.FUZZ_TALLY) console.log([...tallies].map(([k, n]) => `${k}: ${n}`).join('\n'));
});

/** One request and everything that must hold of its answer. */
async function check(op: Operation, g: Generated): Promise<void> {
  const before = mutating.has(op.method) ? await snapshot() : '';
  const res = await send(op, g);
  const key = `${op.method} ${op.path} ${res.status}`;
  tallies.set(key, (tallies.get(key) ?? 0) + 1);
  expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.type).toMatch(/^application\/json/);
    const envelope = JSON.parse(res.text).requestError.serviceException;
    expect(typeof envelope.messageId).toBe('string');
    expect(typeof envelope.text).toBe('string');
    if (mutating.has(op.method)) expect(await snapshot(), `refused ${res.status}: ${res.text.slice(0, 200)}`).toBe(before);
  }
}

describe('schema-driven fuzzing of every operation in /openapi.json', () => {
  it('never answers 5xx, always answers in time, refuses in the envelope, and a refusal changes nothing', { timeout: BUDGET_MS + 180_000 }, async () => {
    expect(operations.length).toBeGreaterThan(40);
    // At least one request's worth per operation even on a loaded machine: an interruption before any run fails.
    const perOperationMs = Math.max(BUDGET_MS / operations.length, REQUEST_TIMEOUT_MS + 1_000);
    const failures: string[] = [];
    for (const op of operations) {
      const known = await victim();
      for (const g of sweep(op, known)) {
        try {
          await check(op, g);
        } catch (error) {
          failures.push(`${op.method} ${op.path} ${toJsonText(g).slice(0, 300)}: ${String((error as Error).message).slice(0, 500)}`);
          break;
        }
      }
      try {
        await fc.assert(fc.asyncProperty(requestArbitrary(op, known), (g) => check(op, g)), {
          numRuns: RUNS,
          endOnFailure: true,
          plugins: [fc.interruptAfterTimeLimit(perOperationMs)],
        });
      } catch (error) {
        failures.push(`${op.method} ${op.path}: ${String((error as Error).message).slice(0, 1500)}`);
      }
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
  });
});
