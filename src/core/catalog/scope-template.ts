/** Scope templates: the catalog's spelling of scopes, with `{param}` segments and an optional trailing id. */
import { SEGMENT_RE, hasTail, type ScopePattern } from './scope-pattern.js';

export type TemplateSegment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'wildcard' };

/** `tenant:{tenant_id}:read`, `read:brands[:{brand_id}]`, `tenant:{tenant_id}:*`. */
export interface ScopeTemplate {
  readonly segments: readonly TemplateSegment[];
  /** Name of the optional trailing id param: holding the short form covers every id. */
  readonly optional?: string;
}

export type Bindings = Readonly<Record<string, string>>;

const PARAM_RE = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const OPTIONAL_RE = /^(.*)\[:\{([A-Za-z_][A-Za-z0-9_]*)\}\]$/;

export interface TemplateSyntax {
  /** Allow `*` segments (includes, grants) — definitions must be concrete. */
  wildcards: boolean;
  /** Allow a trailing `[:{id}]` — only definitions declare one. */
  optional: boolean;
}

/** Parses a template, or returns the reason it is malformed. */
export function parseScopeTemplate(
  text: string,
  syntax: TemplateSyntax = { wildcards: true, optional: true },
): ScopeTemplate | { error: string } {
  let body = text;
  let optional: string | undefined;
  const opt = OPTIONAL_RE.exec(text);
  if (opt) {
    if (!syntax.optional) return { error: 'an optional id `[:{id}]` is only allowed where a scope is declared' };
    body = opt[1] ?? '';
    optional = opt[2];
  }
  if (body.length === 0 || text.length > 512) return { error: 'a scope must not be empty' };
  const segments: TemplateSegment[] = [];
  const names = new Set<string>();
  for (const raw of body.split(':')) {
    const param = PARAM_RE.exec(raw);
    if (param) {
      const name = param[1] ?? '';
      if (names.has(name)) return { error: `parameter {${name}} appears twice` };
      names.add(name);
      segments.push({ kind: 'param', name });
    } else if (raw === '*') {
      if (!syntax.wildcards) return { error: 'a declared scope cannot contain `*`' };
      segments.push({ kind: 'wildcard' });
    } else if (SEGMENT_RE.test(raw)) {
      segments.push({ kind: 'literal', value: raw });
    } else {
      return { error: `segment "${raw}" is not a name, {param} or *` };
    }
  }
  if (optional !== undefined && names.has(optional)) return { error: `parameter {${optional}} appears twice` };
  return optional === undefined ? { segments } : { segments, optional };
}

export function printScopeTemplate(template: ScopeTemplate): string {
  const body = template.segments
    .map((s) => (s.kind === 'literal' ? s.value : s.kind === 'param' ? `{${s.name}}` : '*'))
    .join(':');
  return template.optional === undefined ? body : `${body}[:{${template.optional}}]`;
}

export function templateParams(template: ScopeTemplate): string[] {
  const names = template.segments.flatMap((s) => (s.kind === 'param' ? [s.name] : []));
  return template.optional === undefined ? names : [...names, template.optional];
}

/**
 * The pattern a template stands for once its params are bound; unbound params become `*`.
 * The optional id is appended only when bound.
 */
export function instantiate(template: ScopeTemplate, bindings: Bindings = {}): ScopePattern {
  const out = template.segments.map((s) =>
    s.kind === 'literal' ? s.value : s.kind === 'wildcard' ? '*' : (bindings[s.name] ?? '*'),
  );
  const id = template.optional === undefined ? undefined : bindings[template.optional];
  return id === undefined ? out : [...out, id];
}

/**
 * If `pattern` covers some instance of the concrete template (literal and param segments only), the
 * params of the largest such instance; otherwise `undefined`. An id bound to `*` means "every id".
 */
export function unify(pattern: ScopePattern, template: ScopeTemplate): Bindings | undefined {
  const short = unifyForm(pattern, template.segments);
  if (template.optional === undefined) return short;
  const long = unifyForm(pattern, [...template.segments, { kind: 'param', name: template.optional }]);
  if (long) return long;
  return short ? { ...short, [template.optional]: '*' } : undefined;
}

function unifyForm(pattern: ScopePattern, form: readonly TemplateSegment[]): Bindings | undefined {
  const m = pattern.length;
  const n = form.length;
  const tail = hasTail(pattern);
  if (tail ? n < m : n !== m) return undefined;
  const bindings: Record<string, string> = {};
  const compared = tail ? m - 1 : m;
  for (let i = 0; i < n; i++) {
    const seg = form[i];
    if (seg === undefined) return undefined;
    const p = i < compared ? pattern[i] : '*';
    if (p === undefined) return undefined;
    if (seg.kind === 'param') bindings[seg.name] = p;
    else if (seg.kind === 'literal' && p !== '*' && p !== seg.value) return undefined;
  }
  return bindings;
}
