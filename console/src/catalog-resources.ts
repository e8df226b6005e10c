/**
 * Resource types (IoT-style grants) read from the catalog's own source, which the tree endpoint does not carry. The
 * YAML parser is a quarter of the console's script: it is loaded only when a YAML catalog has to be read.
 */

export interface ResourceType {
  type: string;
  name: string;
  description?: string;
  actions: { name: string; description?: string }[];
  pattern: string;
}

export async function resourceTypes(source: string, format: string): Promise<ResourceType[]> {
  // A catalog without resource types (most of them) needs no parsing at all.
  if (!/^\s*"?resources"?\s*:/m.test(source)) return [];
  let document: unknown;
  try {
    document = format === 'json' ? JSON.parse(source) : (await import('yaml')).parse(source);
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

/** A grant in words, e.g. "Every device, every action" or "Device thermo-1: ListDevices"; undefined when no type spells it. */
export function describeGrant(resources: ResourceType[], scope: string): string | undefined {
  for (const r of resources) {
    const [before, after] = r.pattern.split('{id}');
    if (before === undefined || after === undefined || !scope.startsWith(before)) continue;
    const [between, end] = after.split('{action}');
    if (between === undefined || end === undefined || !scope.endsWith(end)) continue;
    const middle = scope.slice(before.length, scope.length - end.length);
    const cut = middle.indexOf(between);
    if (cut < 0) continue;
    const id = middle.slice(0, cut);
    const action = middle.slice(cut + between.length);
    if (!id || !action || (action !== '*' && !r.actions.some((a) => a.name === action))) continue;
    const plural = `${r.name.toLowerCase()}s`;
    if (id === '*') return action === '*' ? `Every ${r.name.toLowerCase()}, every action` : `${action}, all ${plural}`;
    return action === '*' ? `${r.name} ${id}, every action` : `${r.name} ${id}: ${action}`;
  }
  return undefined;
}
