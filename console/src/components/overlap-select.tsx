/** How long a replaced secret keeps working (rotate, regenerate): now, or an overlap for its users to switch over. */
const overlaps = [
  { seconds: 0, label: 'Stop it now' },
  { seconds: 300, label: 'Keep it working for 5 minutes' },
  { seconds: 3600, label: 'Keep it working for 1 hour' },
  { seconds: 86400, label: 'Keep it working for 24 hours' },
];

/** "5 minutes", for a notice after the fact. */
export function overlapText(seconds: number): string {
  return overlaps.find((o) => o.seconds === seconds)?.label.replace('Keep it working for ', '') ?? `${seconds} seconds`;
}

export function OverlapSelect({ value, onChange }: { value: number; onChange: (seconds: number) => void }) {
  return (
    <div className="field">
      <label htmlFor="rotate-overlap">The current secret</label>
      <select id="rotate-overlap" value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {overlaps.map((o) => <option key={o.seconds} value={o.seconds}>{o.label}</option>)}
      </select>
      <div className="hint">An overlap gives the systems using the token time to switch to the new secret.</div>
    </div>
  );
}
