/** Evaluates a parsed permission query against a scope predicate, short-circuiting AND and OR. */
import type { Query } from './parse-query.js';

export function evaluateQuery(query: Query, holds: (scope: string) => boolean): boolean {
  switch (query.kind) {
    case 'scope':
      return holds(query.scope);
    case 'and':
      return query.items.every((q) => evaluateQuery(q, holds));
    case 'or':
      return query.items.some((q) => evaluateQuery(q, holds));
  }
}
