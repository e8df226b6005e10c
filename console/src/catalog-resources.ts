/** Resource grants (IoT-style: type × one resource or all × some actions or all) spelled and read back in words. */
import type { ResourceType } from './api';

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
