/** The catalog's services → groups → permissions tree: tick and clear single permissions. */
import type { TreeService } from '../api';

export function PermissionTree(props: { services: TreeService[]; selected: Set<string>; onToggle: (scope: string, on: boolean) => void; readOnly?: boolean }) {
  if (props.services.length === 0) return <p className="muted">The catalog declares no services.</p>;
  return (
    <div className="tree" role="group" aria-label="Permissions by service">
      {props.services.map((service) => (
        <details key={service.id} className="tree-service" open>
          <summary>
            <strong>{service.name}</strong>
            <span className="muted small"> {countSelected(service, props.selected)}</span>
          </summary>
          {service.description ? <p className="muted small">{service.description}</p> : null}
          {service.groups.map((group) => (
            <fieldset key={group.id} className="tree-group">
              <legend>{group.name}</legend>
              <ul className="check-list">
                {group.permissions.map((p) => {
                  const on = props.selected.has(p.scope);
                  const implied = !on && p.granted;
                  return (
                    <li key={p.scope}>
                      <label className="check">
                        <input type="checkbox" checked={on} disabled={props.readOnly} onChange={(e) => props.onToggle(p.scope, e.target.checked)} />
                        <span>
                          {p.name} <code className="mono small muted">{p.scope}</code>
                          {implied ? <span className="badge badge-included">included</span> : null}
                        </span>
                      </label>
                    </li>
                  );
                })}
              </ul>
            </fieldset>
          ))}
        </details>
      ))}
    </div>
  );
}

function countSelected(service: TreeService, selected: Set<string>): string {
  const n = service.groups.reduce((sum, g) => sum + g.permissions.filter((p) => selected.has(p.scope)).length, 0);
  return n ? `(${n} selected)` : '';
}
