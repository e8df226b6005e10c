/** Scope categories (the catalog's services): tick a category and a dropdown offers its scopes. */
import { useState } from 'react';
import type { TreeService } from '../api';

export function ScopeCategories(props: { services: TreeService[]; selected: Set<string>; onAdd: (scope: string) => void }) {
  const [open, setOpen] = useState<string[]>([]);
  return (
    <fieldset className="fieldset">
      <legend>API scopes by category</legend>
      <ul className="category-list">
        {props.services.map((service) => {
          const isOpen = open.includes(service.id);
          const choices = service.groups.flatMap((g) => g.permissions.map((p) => ({ ...p, group: g.name })));
          const id = `category-${service.id}`;
          return (
            <li key={service.id}>
              <label className="check">
                <input type="checkbox" checked={isOpen} onChange={(e) => setOpen(e.target.checked ? [...open, service.id] : open.filter((o) => o !== service.id))} />
                <span>{service.name}</span>
              </label>
              {isOpen ? (
                <select
                  id={id}
                  aria-label={`Add a ${service.name} scope`}
                  value=""
                  onChange={(e) => {
                    if (e.target.value) props.onAdd(e.target.value);
                  }}
                >
                  <option value="">Add a {service.name} scope…</option>
                  {choices.map((p) => (
                    <option key={p.scope} value={p.scope} disabled={props.selected.has(p.scope)}>
                      {p.group} — {p.name} ({p.scope})
                    </option>
                  ))}
                </select>
              ) : null}
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
