/** How deep a parsed JSON value nests, measured without recursion so that no input can exhaust the stack. */

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

/** The first top-level field of `body` nesting deeper than `max` below it, `body` for a deep array body, or null. */
export function deepJsonField(body: unknown, max: number = MAX_JSON_DEPTH): string | null {
  if (body === null || typeof body !== 'object') return null;
  if (Array.isArray(body)) return nestsDeeperThan(body, max) ? 'body' : null;
  for (const [key, value] of Object.entries(body)) {
    // A key is named only when it looks like a field: it comes from the caller and is echoed in the error.
    if (nestsDeeperThan(value, max)) return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key) ? key : 'body';
  }
  return null;
}
