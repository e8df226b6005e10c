/** An on/off switch: a button with role="switch", so it is reachable and operable by keyboard. */
export function Switch(props: { checked: boolean; onChange: (checked: boolean) => void; label: string; disabled?: boolean; showLabel?: boolean }) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={props.checked}
      aria-label={props.showLabel ? undefined : props.label}
      className="switch"
      disabled={props.disabled}
      onClick={() => props.onChange(!props.checked)}
    >
      <span className="switch-track" aria-hidden="true">
        <span className="switch-thumb" />
      </span>
      {props.showLabel ? <span className="switch-label">{props.label}</span> : null}
    </button>
  );
}
