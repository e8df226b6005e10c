/** Finds cycles among `includes`; an include that also covers its own scope (`sms:manage` → `sms:*`) is a family closure, not a cycle. */
import { covers, overlaps } from './scope-pattern.js';
import { instantiate } from './scope-template.js';
import { familyOf, type DefinitionIndex, type ScopeDefinition } from './definition-index.js';
import type { CatalogIssue } from './catalog-types.js';

interface Edge {
  to: ScopeDefinition;
  includeIndex: number;
}

export function findIncludeCycles(defs: DefinitionIndex): CatalogIssue[] {
  const sources = defs.all.filter((d) => d.includes.length > 0);
  const edges = new Map<ScopeDefinition, Edge[]>();
  for (const d of sources) {
    const self = instantiate(d.template);
    const out: Edge[] = [];
    d.includes.forEach((inc, includeIndex) => {
      const pattern = instantiate(inc);
      if (covers(pattern, self)) return;
      for (const target of defs.candidates(pattern[0])) {
        if (target !== d && target.includes.length > 0 && familyOf(target).some((f) => overlaps(pattern, f))) {
          out.push({ to: target, includeIndex });
        }
      }
    });
    edges.set(d, out);
  }
  // Iterative depth-first search: a long include chain must not overflow the call stack.
  const state = new Map<ScopeDefinition, 'open' | 'done'>();
  for (const root of sources) {
    if (state.has(root)) continue;
    const stack: { def: ScopeDefinition; next: number }[] = [{ def: root, next: 0 }];
    state.set(root, 'open');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { def: ScopeDefinition; next: number };
      const out = edges.get(frame.def) ?? [];
      const e = out[frame.next++];
      if (e === undefined) {
        state.set(frame.def, 'done');
        stack.pop();
        continue;
      }
      const s = state.get(e.to);
      if (s === 'open') {
        const loop = stack.slice(stack.findIndex((f) => f.def === e.to)).map((f) => f.def.text);
        const names = [...loop, e.to.text].join(' → ');
        return [{ path: `${frame.def.path}.includes[${e.includeIndex}]`, message: `includes form a cycle: ${names}` }];
      }
      if (s === undefined) {
        state.set(e.to, 'open');
        stack.push({ def: e.to, next: 0 });
      }
    }
  }
  return [];
}
