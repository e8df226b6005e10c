/** IoT-style grants: a permission type, one resource or all, some actions or all → scope strings. */
import { useEffect, useState } from 'react';
import type { ResourceType } from '../api';

export function ResourceGrants(props: {
  resources: ResourceType[];
  onAdd: (scopes: string[]) => void;
  /** The scopes a configured but not yet added grant would add (so a form can refuse to drop it silently). */
  onPendingChange?: (scopes: string[]) => void;
  error?: string | undefined;
}) {
  const [type, setType] = useState(props.resources[0]?.type ?? '');
  const [allResources, setAllResources] = useState(true);
  const [resourceId, setResourceId] = useState('');
  const [allActions, setAllActions] = useState(true);
  const [actions, setActions] = useState<string[]>([]);
  const resource = props.resources.find((r) => r.type === type);
  const idProblemOf = !allResources && !/^[A-Za-z0-9_.@-]+$/.test(resourceId);
  // A grant counts as configured once something beyond the defaults was chosen (one resource, or some actions).
  const configured = resource && (!allResources || !allActions) && !idProblemOf && (allActions || actions.length > 0)
    ? grantScopes(resource, allResources ? '*' : resourceId, allActions ? '*' : actions) : [];
  const pendingKey = configured.join(' ');
  const { onPendingChange } = props;
  useEffect(() => onPendingChange?.(pendingKey ? pendingKey.split(' ') : []), [pendingKey, onPendingChange]);
  if (!resource) return null;

  const idProblem = !allResources && !/^[A-Za-z0-9_.@-]+$/.test(resourceId) ? 'Enter the resource id (letters, digits, _ . @ -).' : undefined;
  const actionsProblem = !allActions && actions.length === 0 ? 'Pick at least one action.' : undefined;

  const preview = idProblem || actionsProblem ? [] : grantScopes(resource, allResources ? '*' : resourceId, allActions ? '*' : actions);
  const add = () => {
    if (preview.length === 0) return;
    props.onAdd(preview);
    setActions([]);
    setResourceId('');
    setAllResources(true);
    setAllActions(true);
  };

  return (
    <fieldset className="fieldset grants">
      <legend>Add a resource permission</legend>
      <div className="grid-3">
        <div className="field">
          <label htmlFor="grant-type">Permission type</label>
          <select id="grant-type" value={type} onChange={(e) => { setType(e.target.value); setActions([]); }}>
            {props.resources.map((r) => <option key={r.type} value={r.type}>{r.name}</option>)}
          </select>
          {resource.description ? <div className="hint">{resource.description}</div> : null}
        </div>
        <fieldset className="field plain">
          <legend>Resource</legend>
          <label className="check"><input type="radio" name="grant-resource" checked={allResources} onChange={() => setAllResources(true)} /> All {resource.name.toLowerCase()}s</label>
          <label className="check"><input type="radio" name="grant-resource" checked={!allResources} onChange={() => setAllResources(false)} /> One {resource.name.toLowerCase()}</label>
          {!allResources ? (
            <>
              <input aria-label={`${resource.name} id`} placeholder={`${resource.name} id`} value={resourceId} onChange={(e) => setResourceId(e.target.value)} aria-invalid={idProblem && resourceId ? true : undefined} />
              {idProblem && resourceId ? <div className="field-error">{idProblem}</div> : null}
            </>
          ) : null}
        </fieldset>
        <fieldset className="field plain">
          <legend>Actions</legend>
          <label className="check"><input type="radio" name="grant-actions" checked={allActions} onChange={() => setAllActions(true)} /> All actions</label>
          <label className="check"><input type="radio" name="grant-actions" checked={!allActions} onChange={() => setAllActions(false)} /> Some actions</label>
        </fieldset>
      </div>
      {!allActions ? (
        <ul className="check-list columns">
          {resource.actions.map((a) => (
            <li key={a.name}>
              <label className="check" title={a.description}>
                <input type="checkbox" checked={actions.includes(a.name)} onChange={(e) => setActions(e.target.checked ? [...actions, a.name] : actions.filter((x) => x !== a.name))} />
                <span>{a.name}{a.description ? <span className="muted block small">{a.description}</span> : null}</span>
              </label>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="actions">
        <button type="button" id="grant-add" className="button" onClick={add} disabled={preview.length === 0}
          aria-describedby={props.error ? 'grant-error' : undefined}>
          Add permission
        </button>
        {preview.length ? (
          <span className="hint grant-preview" aria-live="polite">Adds {preview.map((s) => <code key={s} className="chip">{s}</code>)}</span>
        ) : null}
      </div>
      {props.error ? <div className="field-error" id="grant-error">{props.error}</div> : null}
    </fieldset>
  );
}

/** The scopes of one grant, spelled by the type's pattern (which the server gives with its default filled in). */
function grantScopes(resource: ResourceType, id: string, actions: string[] | '*'): string[] {
  const spell = (action: string) => resource.pattern.replace('{id}', id).replace('{action}', action);
  return actions === '*' ? [spell('*')] : actions.map(spell);
}
