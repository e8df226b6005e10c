/** Offline scope matching for issued JWTs: exact or wildcard, segment by segment (`orders:*`, `*`). */

/**
 * Does the granted scope cover the required one? `*` as a segment matches any one segment, and a trailing `*`
 * any number of further segments (so `*` alone is everything). Catalog `includes` (e.g. `message:send` covering
 * `sms:message:send`) are not known offline: checks that need them must go through Tessera (`jwt: { mode: 'online' }`).
 *
 * @example
 * ```ts
 * scopeCovers('orders:*', 'orders:read'); // true
 * scopeCovers('orders:read', 'orders:write'); // false
 * ```
 */
export function scopeCovers(granted: string, required: string): boolean {
  if (granted === required || granted === '*') return true;
  const g = granted.split(':');
  const r = required.split(':');
  const open = g[g.length - 1] === '*';
  if (open ? r.length < g.length : r.length !== g.length || r[r.length - 1] === '*') return false;
  const fixed = open ? g.length - 1 : g.length;
  for (let i = 0; i < fixed; i++) {
    if (g[i] !== '*' && g[i] !== r[i]) return false;
  }
  return true;
}

/**
 * The required scopes no granted scope covers (empty: all are held).
 *
 * @example
 * ```ts
 * missingScopes(['orders:*'], ['orders:read', 'invoices:read']); // ['invoices:read']
 * ```
 */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  return required.filter((scope) => !granted.some((held) => scopeCovers(held, scope)));
}
