/** The permissions a token will hold, each removable; the place where a scope error from the API shows. */
export function ScopeChips(props: { scopes: string[]; onRemove?: (scope: string) => void; error?: string | undefined }) {
  return (
    <div className="field" aria-live="polite">
      <div className="label">Permissions ({props.scopes.length})</div>
      {props.scopes.length === 0 ? <p className="muted">None yet: pick a permission set, a resource permission, or permissions under Advanced options.</p> : null}
      <ul className="chips" aria-label="Selected permissions">
        {props.scopes.map((s) => (
          <li key={s} className="chip">
            <code>{s}</code>
            {props.onRemove ? (
              <button type="button" className="chip-remove" aria-label={`Remove ${s}`} onClick={() => props.onRemove?.(s)}>
                ×
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {props.error ? <div className="field-error">{props.error}</div> : null}
    </div>
  );
}
