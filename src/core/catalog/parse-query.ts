/** Permission queries: scopes combined with AND, OR and parentheses, e.g. `message:send OR (sms:message:send AND sms:logs:read)`. */
import { parseScopePattern } from './scope-pattern.js';

export type Query =
  | { readonly kind: 'scope'; readonly scope: string }
  | { readonly kind: 'and' | 'or'; readonly items: readonly Query[] };

export type ParseQueryResult = { ok: true; query: Query } | { ok: false; message: string; position: number };

export const MAX_QUERY_LENGTH = 4096;
const MAX_DEPTH = 32;
const TOKEN_RE = /\s*(?:(\()|(\))|([^\s()]+))/y;

/**
 * Parses a query. AND binds tighter than OR; `and`/`or` are accepted in any case. Nested operators of
 * the same kind are flattened, so `print(parse(q))` is canonical.
 *
 * @example
 * parseQuery('message:send OR (sms:message:send AND sms:logs:read)')
 */
export function parseQuery(text: string): ParseQueryResult {
  if (text.length > MAX_QUERY_LENGTH) return { ok: false, message: `query is longer than ${MAX_QUERY_LENGTH} characters`, position: 0 };
  const tokens: { value: string; position: number }[] = [];
  TOKEN_RE.lastIndex = 0;
  while (TOKEN_RE.lastIndex < text.length) {
    const start = TOKEN_RE.lastIndex;
    const m = TOKEN_RE.exec(text);
    if (!m) break;
    const value = m[1] ?? m[2] ?? m[3];
    if (value === undefined) break;
    tokens.push({ value, position: start + (m[0].length - value.length) });
  }
  let i = 0;
  const fail = (message: string): never => {
    throw new QueryError(message, tokens[i]?.position ?? text.length);
  };
  const isOp = (word: string | undefined, op: 'AND' | 'OR'): boolean => word?.toUpperCase() === op;

  const parseOr = (depth: number): Query => {
    const items = [parseAnd(depth)];
    while (isOp(tokens[i]?.value, 'OR')) {
      i++;
      items.push(parseAnd(depth));
    }
    return combine('or', items);
  };
  const parseAnd = (depth: number): Query => {
    const items = [parseAtom(depth)];
    while (isOp(tokens[i]?.value, 'AND')) {
      i++;
      items.push(parseAtom(depth));
    }
    return combine('and', items);
  };
  const parseAtom = (depth: number): Query => {
    const token = tokens[i];
    if (token === undefined) return fail('expected a scope or "("');
    if (token.value === '(') {
      if (depth >= MAX_DEPTH) return fail('parentheses are nested too deeply');
      i++;
      const inner = parseOr(depth + 1);
      if (tokens[i]?.value !== ')') return fail('expected ")"');
      i++;
      return inner;
    }
    if (token.value === ')' || isOp(token.value, 'AND') || isOp(token.value, 'OR')) return fail(`unexpected "${token.value}"`);
    if (!parseScopePattern(token.value)) return fail(`"${token.value}" is not a scope`);
    i++;
    return { kind: 'scope', scope: token.value };
  };

  try {
    if (tokens.length === 0) return fail('query is empty');
    const query = parseOr(0);
    if (i < tokens.length) return fail(`unexpected "${tokens[i]?.value ?? ''}"`);
    return { ok: true, query };
  } catch (e) {
    if (e instanceof QueryError) return { ok: false, message: e.message, position: e.position };
    throw e;
  }
}

/** Prints a query with the fewest parentheses that keep its meaning. */
export function printQuery(query: Query): string {
  if (query.kind === 'scope') return query.scope;
  return query.items
    .map((item) => (query.kind === 'and' && item.kind === 'or' ? `(${printQuery(item)})` : printQuery(item)))
    .join(query.kind === 'and' ? ' AND ' : ' OR ');
}

/** Every scope a query mentions, in order (for RFC 6750 `scope=` hints). */
export function queryScopes(query: Query): string[] {
  return query.kind === 'scope' ? [query.scope] : query.items.flatMap(queryScopes);
}

function combine(kind: 'and' | 'or', items: Query[]): Query {
  if (items.length === 1) return items[0] as Query;
  return { kind, items: items.flatMap((q) => (q.kind === kind ? q.items : [q])) };
}

class QueryError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}
