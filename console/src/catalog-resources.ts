/** Resource types (IoT-style grants) read from the catalog's own source, which the tree endpoint does not carry. */
import { parse } from 'yaml';

export interface ResourceType {
  type: string;
  name: string;
  description?: string;
  actions: { name: string; description?: string }[];
  pattern: string;
}

export function resourceTypes(source: string, format: string): ResourceType[] {
  let document: unknown;
  try {
    document = format === 'json' ? JSON.parse(source) : parse(source);
  } catch {
    return [];
  }
  const list = (document as { resources?: unknown })?.resources;
  if (!Array.isArray(list)) return [];
  return list.flatMap((r: Partial<ResourceType> & { actions?: unknown }) => {
    if (typeof r?.type !== 'string' || !Array.isArray(r.actions)) return [];
    const actions = r.actions.filter((a): a is { name: string; description?: string } => typeof a?.name === 'string');
    return [{ type: r.type, name: r.name ?? r.type, ...(r.description ? { description: r.description } : {}), actions, pattern: r.pattern ?? `${r.type}:{id}:{action}` }];
  });
}

/** The scope strings of one grant: a resource id or all, some actions or all. */
export function grantScopes(resource: ResourceType, id: string | '*', actions: string[] | '*'): string[] {
  const spell = (action: string) => resource.pattern.replace('{id}', id).replace('{action}', action);
  return actions === '*' ? [spell('*')] : actions.map(spell);
}
