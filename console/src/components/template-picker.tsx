/** Permission sets (catalog templates) as checkboxes, each with its description. */
import type { Template } from '../api';

export function TemplatePicker(props: { templates: Template[]; chosen: string[]; onChange: (chosen: string[]) => void; error?: string | undefined }) {
  if (props.templates.length === 0) return <p className="muted">The catalog has no permission sets. Use Advanced options to pick permissions.</p>;
  return (
    <fieldset className="fieldset">
      <legend>Permission sets</legend>
      <ul className="check-list">
        {props.templates.map((t) => (
          <li key={t.id}>
            <label className="check">
              <input
                type="checkbox"
                checked={props.chosen.includes(t.id)}
                onChange={(e) => props.onChange(e.target.checked ? [...props.chosen, t.id] : props.chosen.filter((c) => c !== t.id))}
              />
              <span>
                <strong>{t.name}</strong>
                {t.description ? <span className="muted block">{t.description}</span> : null}
              </span>
            </label>
          </li>
        ))}
      </ul>
      {props.error ? <div className="field-error" role="alert">{props.error}</div> : null}
    </fieldset>
  );
}
