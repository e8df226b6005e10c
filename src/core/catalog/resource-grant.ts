/**
 * Resource grants (IoT platform: type × one resource or all × some actions or all): how a resource type spells its
 * scopes, and reading a scope back into the grant it spells. The one place that knows the default pattern.
 */
import type { ResourceDoc } from './catalog-types.js';

/** A scope read back as a grant: `*` for every resource or every action. */
export interface ResourceGrant {
  type: string;
  id: string;
  action: string;
}

/**
 * The pattern a resource type spells its grants with: its own, else `<type>:{id}:{action}`.
 *
 * @example
 * resourcePattern({ type: 'device', name: 'Device', actions: [] }) // 'device:{id}:{action}'
 */
export function resourcePattern(resource: Pick<ResourceDoc, 'type' | 'pattern'>): string {
  return resource.pattern ?? `${resource.type}:{id}:{action}`;
}

/**
 * The resource id and action `scope` names if it fits `resource`'s pattern segment by segment (other parameters of a
 * pattern match any segment); undefined when it does not fit. The action is not checked against the declared ones.
 *
 * @example
 * matchResourcePattern({ type: 'endpoint', name: 'Endpoint', actions: [] }, 'endpoint:orders:POST') // { id: 'orders', action: 'POST' }
 */
export function matchResourcePattern(resource: Pick<ResourceDoc, 'type' | 'pattern'>, scope: string): { id: string; action: string } | undefined {
  const parts = scope.split(':');
  const pattern = resourcePattern(resource).split(':');
  if (pattern.length !== parts.length) return undefined;
  let id: string | undefined;
  let action: string | undefined;
  for (const [i, segment] of pattern.entries()) {
    const part = parts[i] ?? '';
    if (part === '') return undefined;
    if (segment === '{id}') id = part;
    else if (segment === '{action}') action = part;
    else if (!/^\{\w+\}$/.test(segment) && segment !== part) return undefined;
  }
  return id === undefined || action === undefined ? undefined : { id, action };
}

/**
 * The grant `scope` spells under one of `resources`: the first type whose pattern it fits with an action the type
 * declares (or `*` for all); undefined when none does.
 *
 * @example
 * readResourceGrant(iot.resources, 'device:*:ListDevices') // { type: 'device', id: '*', action: 'ListDevices' }
 */
export function readResourceGrant(resources: readonly ResourceDoc[], scope: string): ResourceGrant | undefined {
  for (const resource of resources) {
    const match = matchResourcePattern(resource, scope);
    if (!match) continue;
    if (match.action !== '*' && !resource.actions.some((a) => a.name === match.action)) continue;
    return { type: resource.type, ...match };
  }
  return undefined;
}
