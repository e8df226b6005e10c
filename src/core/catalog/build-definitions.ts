/** Turns the `scopes` and `resources` sections into scope definitions, reporting malformed or duplicate ones. */
import type { CatalogDocument, CatalogIssue } from './catalog-types.js';
import { parseScopeTemplate, printScopeTemplate, type ScopeTemplate } from './scope-template.js';
import { DefinitionIndex, type ScopeDefinition } from './definition-index.js';
import { resourcePattern } from './resource-grant.js';

const CONCRETE = { wildcards: false, optional: true } as const;
const PATTERN = { wildcards: true, optional: false } as const;

/** Builds every definition; a resource type contributes one definition per action. */
export function buildDefinitions(doc: CatalogDocument): { index: DefinitionIndex; issues: CatalogIssue[] } {
  const issues: CatalogIssue[] = [];
  const defs: ScopeDefinition[] = [];
  const seen = new Map<string, string>();
  const add = (def: ScopeDefinition): void => {
    // Two spellings that differ only in param names are the same scope.
    const shape = shapeOf(def.template);
    const first = seen.get(shape);
    if (first !== undefined) {
      issues.push({ path: def.path, message: `scope "${def.text}" is already declared at ${first}` });
      return;
    }
    seen.set(shape, def.path);
    defs.push(def);
  };

  (doc.scopes ?? []).forEach((s, i) => {
    const path = `scopes[${i}]`;
    const template = parseScopeTemplate(s.scope, CONCRETE);
    if ('error' in template) {
      issues.push({ path: `${path}.scope`, message: `bad scope "${s.scope}": ${template.error}` });
      return;
    }
    const own = new Set(paramNames(template));
    const includes: ScopeTemplate[] = [];
    (s.includes ?? []).forEach((inc, j) => {
      const t = parseScopeTemplate(inc, PATTERN);
      if ('error' in t) issues.push({ path: `${path}.includes[${j}]`, message: `bad pattern "${inc}": ${t.error}` });
      else {
        const stray = paramNames(t).find((n) => !own.has(n));
        if (stray !== undefined) {
          issues.push({ path: `${path}.includes[${j}]`, message: `{${stray}} is not a parameter of "${s.scope}"` });
        } else includes.push(t);
      }
    });
    const requires: ScopeTemplate[] = [];
    const requiresAt: string[] = [];
    const reqList = s.requires === undefined ? [] : typeof s.requires === 'string' ? [s.requires] : s.requires;
    reqList.forEach((req, j) => {
      const t = parseScopeTemplate(req, PATTERN);
      const at = typeof s.requires === 'string' ? `${path}.requires` : `${path}.requires[${j}]`;
      if ('error' in t) issues.push({ path: at, message: `bad scope "${req}": ${t.error}` });
      else {
        requires.push(t);
        requiresAt.push(at);
      }
    });
    add({
      path,
      template,
      text: printScopeTemplate(template),
      name: s.name,
      description: s.description,
      includes,
      requires,
      requiresAt,
      standalone: s.standalone ?? true,
    });
  });

  (doc.resources ?? []).forEach((r, i) => {
    const path = `resources[${i}]`;
    const spelled = resourcePattern(r);
    const template = parseScopeTemplate(spelled, { wildcards: false, optional: false });
    if ('error' in template) {
      issues.push({ path: `${path}.pattern`, message: `bad pattern "${spelled}": ${template.error}` });
      return;
    }
    const names = paramNames(template);
    if (!names.includes('id') || !names.includes('action')) {
      issues.push({ path: `${path}.pattern`, message: 'a resource pattern needs both {id} and {action}' });
      return;
    }
    const actions = new Set<string>();
    r.actions.forEach((a, j) => {
      if (actions.has(a.name)) {
        issues.push({ path: `${path}.actions[${j}].name`, message: `action "${a.name}" is listed twice` });
        return;
      }
      actions.add(a.name);
      const segments = template.segments.map((seg) =>
        seg.kind === 'param' && seg.name === 'action' ? ({ kind: 'literal', value: a.name } as const) : seg,
      );
      const t: ScopeTemplate = { segments };
      add({
        path: `${path}.actions[${j}]`,
        template: t,
        text: printScopeTemplate(t),
        name: `${r.name}: ${a.name}`,
        description: a.description,
        includes: [],
        requires: [],
        requiresAt: [],
        standalone: true,
        resource: { type: r.type, action: a.name, pattern: template },
      });
    });
  });
  return { index: new DefinitionIndex(defs), issues };
}

function paramNames(t: ScopeTemplate): string[] {
  const names = t.segments.flatMap((s) => (s.kind === 'param' ? [s.name] : []));
  return t.optional === undefined ? names : [...names, t.optional];
}

function shapeOf(t: ScopeTemplate): string {
  const body = t.segments.map((s) => (s.kind === 'literal' ? s.value : '{}')).join(':');
  return t.optional === undefined ? body : `${body}[:{}]`;
}
