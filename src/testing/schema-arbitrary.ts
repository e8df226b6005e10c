/**
 * fast-check arbitraries derived from the JSON Schemas of the OpenAPI document: values the schema accepts, and
 * values built to be refused (boundaries, wrong types, oversized, odd unicode, nesting thousands of levels deep).
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  $ref?: string;
}

/** Nesting far past any limit; {@link toJsonText} writes it as text (building the value would overflow here). */
export class Deep {
  constructor(readonly levels: number, readonly kind: 'array' | 'object') {}
}

/** Strings that have broken parsers, databases, logs and terminals before. */
const nastyStrings = [
  '', ' ', '\u0000', 'a\u0000b', '\uFEFF', '\u202Eevil', '\uD800', '\uDFFF', 'ǅ', '🦄🏳️‍🌈', 'Ω≈ç√', '٠١٢',
  '../../etc/passwd', '%00', '%E0%A4%A', "' OR 1=1 --", '"; DROP TABLE tokens; --', '${jndi:ldap://x}', '{{7*7}}',
  '<script>alert(1)</script>', '__proto__', 'constructor', 'null', 'undefined', 'NaN', '-0', '1e309', '*', '**',
  ':', '::', 'a:', ':a', 'a::b', 'a:{b}', 'a:[b', 'tokens:read', 'tenant:{tenant_id}:x', 'GET /x', 'tok_', 'tsr_x',
  '0001-01-01T00:00:00Z', '9999-12-31T23:59:59-23:59', '2026-02-30T00:00:00Z', '2026-06-01T24:00:00Z',
  '+275760-09-13T00:00:00Z', '10.0.0.0/33', '::/129', '1.2.3.4', '2001:db8::/32', 'a OR (b AND', '((((((((((a',
];

const nastyNumbers = [0, -0, -1, 1, 0.5, -0.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e15, 1e21, 1e300, -1e300, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER];

const wrongTyped = fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, '', 'x', [], {}, [1, 'a', null], { a: 1 }, [[[]]]);

const unicode = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 5 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u200B', '\u202E', '\n', '\r', '\t', '"', '\\', '/', '%', '\u00e9', '\u{1F600}'), maxLength: 20 }),
);

function types(schema: JsonSchema): string[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** A value the schema describes (within its bounds), with short strings and arrays. */
export function validValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return fc.oneof(...union.map((s) => validValue(s, depth)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const [type] = types(schema);
  switch (type) {
    case 'string': {
      if (schema.format === 'date-time') {
        return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
      }
      const minLength = schema.minLength ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 40, 40));
      return fc.oneof(fc.string({ minLength, maxLength }), fc.constantFrom('tokens:read', 'a:b', '*', 'x').filter((s) => s.length >= minLength && s.length <= maxLength));
    }
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1000, -(2 ** 31)), max: Math.min(schema.maximum ?? 1_000_000, 2 ** 31) });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const item = schema.items ? validValue(schema.items, depth + 1) : fc.string({ maxLength: 10 });
      const minLength = schema.minItems ?? 0;
      return fc.array(item, { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 5, 5)) });
    }
    case 'object':
      return objectOf(schema, depth, validValue);
    default:
      return depth > 2 ? fc.string({ maxLength: 10 }) : fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(schema: JsonSchema, depth: number, field: (s: JsonSchema, depth: number) => fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  if (Object.keys(properties).length === 0) return depth > 2 ? fc.constant({}) : fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
  const model = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, field(s, depth + 1)]));
  return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in properties) });
}

/** A value built to be refused, or to sit exactly on a bound. */
export function hostileValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const bounds: unknown[] = [];
  if (schema.maxLength !== undefined && schema.maxLength < 20_000) bounds.push('x'.repeat(schema.maxLength), 'y'.repeat(schema.maxLength + 1));
  if (schema.minLength !== undefined && schema.minLength > 0) bounds.push('z'.repeat(schema.minLength - 1));
  for (const limit of [schema.minimum, schema.maximum]) {
    if (limit !== undefined) bounds.push(limit, limit - 1, limit + 1, limit + 0.5);
  }
  if (schema.maxItems !== undefined && schema.maxItems <= 1000) bounds.push(Array.from({ length: schema.maxItems + 1 }, (_, i) => `i${i}`));
  return fc.oneof(
    wrongTyped,
    fc.constantFrom(...nastyStrings),
    fc.constantFrom(...nastyNumbers),
    unicode,
    fc.constant('w'.repeat(3_000)),
    fc.constantFrom(new Deep(5_000, 'array'), new Deep(5_000, 'object'), new Deep(33, 'object')),
    ...(bounds.length ? [fc.constantFrom(...bounds)] : []),
  );
}

/**
 * Mostly values the schema accepts, with one field at a time made hostile, so that a request gets past every
 * check but one and reaches the code behind the schema.
 */
export function fuzzValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const [type] = types(schema);
  const keys = Object.keys(schema.properties ?? {});
  if (type === 'object' && keys.length > 0 && depth < 3) {
    const oneHostile = fc.constantFrom(...keys).chain((bad) =>
      objectOf(schema, depth, (s, d) => (s === schema.properties![bad] ? fuzzValue(s, d) : validValue(s, d))).map((value) => value),
    );
    return fc.oneof({ weight: 3, arbitrary: validValue(schema, depth) }, { weight: 4, arbitrary: oneHostile }, { weight: 1, arbitrary: hostileValue(schema) });
  }
  if (type === 'array' && schema.items && depth < 3) {
    return fc.oneof({ weight: 3, arbitrary: fc.array(fuzzValue(schema.items, depth + 1), { maxLength: 4 }) }, { weight: 1, arbitrary: hostileValue(schema) });
  }
  return fc.oneof({ weight: 3, arbitrary: validValue(schema, depth) }, { weight: 2, arbitrary: hostileValue(schema) });
}

/** The plainest value the schema accepts: required properties only, first choices, lower bounds. */
export function minimalValue(schema: JsonSchema): unknown {
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return minimalValue(union[0]!);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  switch (types(schema)[0]) {
    case 'string':
      return schema.format === 'date-time' ? '2030-01-01T00:00:00Z' : 'fuzz'.padEnd(schema.minLength ?? 0, 'z').slice(0, schema.maxLength ?? 4);
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array':
      return schema.items && schema.minItems ? Array.from({ length: schema.minItems }, () => minimalValue(schema.items!)) : [];
    default:
      return Object.fromEntries((schema.required ?? []).map((key) => [key, minimalValue(schema.properties?.[key] ?? {})]));
  }
}

/**
 * One value of each hostile kind, for a field-by-field sweep that every run makes whatever the random draw:
 * nesting thousands deep (as an object and as an array), a wrong type, oversized text, odd unicode, a bound + 1.
 */
export function hostileKinds(schema: JsonSchema): unknown[] {
  const kinds: unknown[] = [new Deep(5_000, 'object'), new Deep(5_000, 'array'), types(schema)[0] === 'string' ? 12345 : 'x', 'w'.repeat(3_000), '\uD800\u202E\u0000🦄'];
  if (schema.maximum !== undefined) kinds.push(schema.maximum + 1);
  // Past a database's integer columns (2^31 for PostgreSQL's integer, 2^63 for bigint), and past doubles' integers.
  if (['integer', 'number'].includes(types(schema)[0] ?? '') || schema.anyOf?.some((s) => ['integer', 'number'].includes(types(s)[0] ?? ''))) {
    kinds.push(2 ** 31, 2 ** 63, 1e20, 1e300, -1);
  }
  if (schema.maxLength !== undefined && schema.maxLength < 20_000) kinds.push('y'.repeat(schema.maxLength + 1));
  return kinds;
}

/** JSON text of a generated value; {@link Deep} markers become nesting written out as text. */
export function toJsonText(value: unknown): string {
  const deep: Deep[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Deep) {
      deep.push(v);
      return `\u0000deep${deep.length - 1}\u0000`;
    }
    return v;
  }) ?? 'null';
  return text.replace(/"\\u0000deep(\d+)\\u0000"/g, (_m, i: string) => {
    const { levels, kind } = deep[Number(i)]!;
    return kind === 'array' ? '['.repeat(levels) + ']'.repeat(levels) : '{"a":'.repeat(levels) + '{}' + '}'.repeat(levels);
  });
}

/** A generated value as text for a query string, path segment or header. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Deep) return '['.repeat(50);
  return toJsonText(value);
}
