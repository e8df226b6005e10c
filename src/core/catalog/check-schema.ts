/** A small JSON Schema checker for the subset `catalogSchema` uses, so the published schema is the one enforced. */
import type { CatalogIssue } from './catalog-types.js';
import type { JsonSchema } from './catalog-schema.js';

/** Every violation of `schema` in `value`, each with the path of the offending entry. */
export function checkSchema(value: unknown, schema: JsonSchema, path = ''): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  walk(value, schema, path, issues);
  return issues;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function walk(value: unknown, schema: JsonSchema, path: string, issues: CatalogIssue[]): void {
  if (schema.anyOf) {
    const best = schema.anyOf.map((s) => checkSchema(value, s, path));
    if (best.some((r) => r.length === 0)) return;
    // Report the alternative of the same JSON type, whose errors are the useful ones.
    const sameType = schema.anyOf.findIndex((s) => typeMatches(value, s.type));
    issues.push(...(best[sameType] ?? [{ path, message: `must be a string or an object, not ${describe(value)}` }]));
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) {
    issues.push({ path, message: `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}` });
    return;
  }
  if (schema.type && !typeMatches(value, schema.type)) {
    issues.push({ path, message: `must be ${schema.type === 'array' ? 'an array' : `a ${schema.type}`}, not ${describe(value)}` });
    return;
  }
  if (typeof value === 'string') checkString(value, schema, path, issues);
  else if (Array.isArray(value)) checkArray(value, schema, path, issues);
  else if (typeof value === 'object' && value !== null) checkObject(value as Record<string, unknown>, schema, path, issues);
}

function typeMatches(value: unknown, type: JsonSchema['type']): boolean {
  switch (type) {
    case undefined: return true;
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'integer': return Number.isInteger(value);
    default: return typeof value === type;
  }
}

function checkString(value: string, schema: JsonSchema, path: string, issues: CatalogIssue[]): void {
  if (schema.minLength !== undefined && value.length < schema.minLength) issues.push({ path, message: 'must not be empty' });
  else if (schema.maxLength !== undefined && value.length > schema.maxLength) {
    issues.push({ path, message: `must be at most ${schema.maxLength} characters` });
  } else if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
    issues.push({ path, message: `must match ${schema.pattern}` });
  }
}

function checkArray(value: unknown[], schema: JsonSchema, path: string, issues: CatalogIssue[]): void {
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    issues.push({ path, message: `must have at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}` });
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    issues.push({ path, message: `must have at most ${schema.maxItems} items` });
    return;
  }
  if (schema.items) value.forEach((item, i) => walk(item, schema.items as JsonSchema, join(path, i), issues));
}

function checkObject(value: Record<string, unknown>, schema: JsonSchema, path: string, issues: CatalogIssue[]): void {
  for (const key of schema.required ?? []) {
    if (value[key] === undefined) issues.push({ path: join(path, key), message: 'is required' });
  }
  const props = schema.properties ?? {};
  for (const [key, child] of Object.entries(value)) {
    const sub = Object.hasOwn(props, key) ? props[key] : undefined;
    if (sub === undefined) {
      if (schema.additionalProperties === false) issues.push({ path: join(path, key), message: 'is not a known field' });
    } else if (child !== undefined) {
      walk(child, sub, join(path, key), issues);
    }
  }
}
