/** How deep a parsed JSON value nests, and whether it holds U+0000: walked without recursion, so no input can exhaust the stack. */

/** Deepest nesting accepted in a JSON field of a request (metadata, a catalog document): far above any real use. */
export const MAX_JSON_DEPTH = 32;

/**
 * True when `value` has containers (objects, arrays) nested more than `max` levels, counting `value` itself.
 * Iterative, and stops at the first container past the limit, so a 100,000-level input costs `max` steps per path.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** True when a string in `value` (a key or a value, at any depth up to `max`) holds U+0000, which PostgreSQL cannot store. */
export function containsNul(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return true;
      continue;
    }
    if (current === null || typeof current !== 'object' || depth > max) continue;
    for (const [key, child] of Object.entries(current)) {
      if (key.includes('\u0000')) return true;
      stack.push([child, depth + 1]);
    }
  }
  return false;
}

export interface JsonFieldProblem {
  field: string;
  problem: string;
}

/**
 * The first field of a parsed request part (body, query, path parameters) that nests deeper than `max` or holds
 * U+0000, or null. A field is named by its top-level key; a deep array body is `body`.
 */
export function hostileJsonField(part: unknown, max: number = MAX_JSON_DEPTH, whole = 'body'): JsonFieldProblem | null {
  if (part === null || part === undefined) return null;
  const entries: Array<[string, unknown]> = typeof part === 'object' && !Array.isArray(part) ? Object.entries(part) : [[whole, part]];
  for (const [key, value] of entries) {
    // A key is named only when it looks like a field: it comes from the caller and is echoed in the error.
    const field = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(key) ? key : whole;
    if (nestsDeeperThan(value, max)) return { field, problem: `nested deeper than ${max} levels` };
    if (key.includes('\u0000') || containsNul(value, max)) return { field, problem: 'must not contain the NUL character (U+0000)' };
  }
  return null;
}
