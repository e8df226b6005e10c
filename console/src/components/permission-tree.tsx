/**
 * The catalog's services → groups → permissions tree: tick and clear single permissions. A service starts collapsed
 * unless it holds a selection (keeps the page short); once opened or closed by hand it stays that way.
 */
import { useState } from 'react';
import type { ResourceType, TreeService } from '../api';

type TreeGrant = NonNullable<TreeService['groups'][number]['permissions'][number]['grant']>;

export function PermissionTree(props: {
  services: TreeService[];
  selected: Set<string>;
  onToggle: (scope: string, on: boolean) => void;
  readOnly?: boolean;
  /** The catalog's resource types: a permission the catalog names only by its scope but that is a grant is named in words. */
  resources?: ResourceType[];
}) {
  const [opened, setOpened] = useState<Record<string, boolean>>({});
  if (props.services.length === 0) return <p className="muted">The catalog declares no services.</p>;
  const setOpen = (id: string, open: boolean) => setOpened((o) => (o[id] === open ? o : { ...o, [id]: open }));
  return (
    <div className="tree" role="group" aria-label="Permissions by service">
      {props.services.map((service) => {
        const count = countSelected(service, props.selected);
        const open = opened[service.id] ?? (count > 0 || hasGranted(service));
        return (
          <details key={service.id} className="tree-service" open={open}
            onToggle={(e) => setOpen(service.id, e.currentTarget.open)}>
            <summary>
              <strong>{service.name}</strong>
              <span className="muted small"> {count ? `(${count} selected)` : ''}</span>
            </summary>
            {service.description ? <p className="muted small">{service.description}</p> : null}
            {service.groups.map((group) => (
              <fieldset key={group.id} className="tree-group">
                <legend>{group.name}</legend>
                <ul className="check-list">
                  {group.permissions.map((p) => {
                    const on = props.selected.has(p.scope);
                    // Granted through another selected permission (an include, a wildcard, admin): shown ticked and
                    // fixed, since clearing it alone would change nothing.
                    const implied = !on && p.granted;
                    const name = (p.name === p.scope && p.grant ? grantInWords(p.grant, props.resources ?? []) : p.name) ?? p.scope;
                    const inputId = `perm-${service.id}-${p.scope}`;
                    return (
                      <li key={p.scope}>
                        <div className="check">
                          <input type="checkbox" id={inputId} checked={on || implied} disabled={props.readOnly || implied}
                            aria-describedby={`${inputId}-scope`}
                            onChange={(e) => {
                              // Clearing the last permission of a service must not fold it away under the pointer.
                              setOpen(service.id, true);
                              props.onToggle(p.scope, e.target.checked);
                            }} />
                          <span>
                            <label htmlFor={inputId}>{name}{implied ? ' (included)' : ''}</label>{' '}
                            <code className="mono small muted" id={`${inputId}-scope`}>{p.scope}</code>
                            {implied ? <span className="badge badge-included" aria-hidden="true">included</span> : null}
                          </span>
                        </div>
                      </li>
                    );
                  })}
                </ul>
              </fieldset>
            ))}
          </details>
        );
      })}
    </div>
  );
}

function countSelected(service: TreeService, selected: Set<string>): number {
  return service.groups.reduce((sum, g) => sum + g.permissions.filter((p) => selected.has(p.scope)).length, 0);
}

/** Permissions implied by the selection (e.g. by `admin` or a wildcard) also open their service. */
function hasGranted(service: TreeService): boolean {
  return service.groups.some((g) => g.permissions.some((p) => p.granted));
}

/** A grant in words, e.g. "Every device, every action" or "Device thermo-1: ListDevices"; undefined for an unknown type. */
function grantInWords(grant: TreeGrant, resources: ResourceType[]): string | undefined {
  const resource = resources.find((r) => r.type === grant.type);
  if (!resource) return undefined;
  const { id, action } = grant;
  if (id === '*') return action === '*' ? `Every ${resource.name.toLowerCase()}, every action` : `${action}, all ${resource.name.toLowerCase()}s`;
  return action === '*' ? `${resource.name} ${id}, every action` : `${resource.name} ${id}: ${action}`;
}
