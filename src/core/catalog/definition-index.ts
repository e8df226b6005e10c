/** Scope definitions indexed by first segment, so each lookup touches only the definitions that can apply. */
import { overlaps, type ScopePattern } from './scope-pattern.js';
import { instantiate, type ScopeTemplate } from './scope-template.js';

export interface ScopeDefinition {
  /** Where it was declared: `scopes[3]` or `resources[1].actions[2]`. */
  readonly path: string;
  readonly template: ScopeTemplate;
  /** Canonical spelling, e.g. `read:brands[:{brand_id}]`. */
  readonly text: string;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly includes: readonly ScopeTemplate[];
  readonly requires: readonly ScopeTemplate[];
  /** Document path of each entry of `requires`, for issues. */
  readonly requiresAt: readonly string[];
  /** `false` when the scope must be combined with another kind of scope (`standalone: false`). */
  readonly standalone: boolean;
  readonly resource?: { readonly type: string; readonly action: string; readonly pattern: ScopeTemplate };
}

export class DefinitionIndex {
  readonly all: readonly ScopeDefinition[];
  /** Definitions that change what a held scope grants (includes or an optional id). */
  readonly expanding: readonly ScopeDefinition[];
  readonly withRequires: readonly ScopeDefinition[];
  readonly notStandalone: readonly ScopeDefinition[];
  private readonly byFirst = new Map<string, ScopeDefinition[]>();
  private readonly paramFirst: ScopeDefinition[] = [];
  private readonly expandingByFirst = new Map<string, ScopeDefinition[]>();
  private readonly expandingParamFirst: ScopeDefinition[] = [];

  constructor(defs: readonly ScopeDefinition[]) {
    this.all = defs;
    this.expanding = defs.filter((d) => d.includes.length > 0 || d.template.optional !== undefined);
    this.withRequires = defs.filter((d) => d.requires.length > 0);
    this.notStandalone = defs.filter((d) => !d.standalone);
    fill(defs, this.byFirst, this.paramFirst);
    fill(this.expanding, this.expandingByFirst, this.expandingParamFirst);
  }

  /** Definitions whose scopes could be matched by a pattern starting with `first`. */
  candidates(first: string | undefined, expandingOnly = false): readonly ScopeDefinition[] {
    const byFirst = expandingOnly ? this.expandingByFirst : this.byFirst;
    const paramFirst = expandingOnly ? this.expandingParamFirst : this.paramFirst;
    if (first === undefined || first === '*') return expandingOnly ? this.expanding : this.all;
    const hit = byFirst.get(first);
    if (!hit) return paramFirst;
    return paramFirst.length === 0 ? hit : [...hit, ...paramFirst];
  }

  /** Whether the pattern names any scope the catalog declares. */
  knows(pattern: ScopePattern): boolean {
    return this.candidates(pattern[0]).some((d) => familyOf(d).some((f) => overlaps(pattern, f)));
  }
}

/** Every pattern a definition's scopes can take: the short form, and with an optional id, the long form. */
export function familyOf(def: ScopeDefinition): ScopePattern[] {
  const short = instantiate(def.template);
  return def.template.optional === undefined ? [short] : [short, [...short, '*']];
}

function fill(defs: readonly ScopeDefinition[], byFirst: Map<string, ScopeDefinition[]>, paramFirst: ScopeDefinition[]): void {
  for (const d of defs) {
    const first = d.template.segments[0];
    if (first?.kind === 'literal') {
      const list = byFirst.get(first.value) ?? [];
      list.push(d);
      byFirst.set(first.value, list);
    } else paramFirst.push(d);
  }
}
