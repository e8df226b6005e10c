/** Named rate limits as rows (name, limit, window): what a token or an identity's checks may consume (docs/limits.md). */
import { formatSeconds } from '../format';

export interface LimitRow {
  name: string;
  limit: string;
  duration: string;
}

type Limit = { name: string; limit: number; duration: number };

/** "per-minute: 100 per minute, burst: 5 per 10 seconds", or "none". */
export function limitSummary(limits: readonly Limit[]): string {
  return limits.length ? limits.map((l) => `${l.name}: ${l.limit} per ${formatSeconds(l.duration)}`).join(', ') : 'none';
}

/**
 * Rows from the API's limits (window in seconds, shown as "1 minute"). The window is sent back as it is shown, so it
 * keeps its number: the server reads "1 minute" but not "minute".
 */
export function limitRows(limits: readonly Limit[]): LimitRow[] {
  return limits.map((l) => {
    const shown = formatSeconds(l.duration);
    return { name: l.name, limit: String(l.limit), duration: /^\d/.test(shown) ? shown : `1 ${shown}` };
  });
}

/**
 * Rows as the API takes them: a window the person typed as digits is seconds, anything else ("1m", "1 day") is read
 * by the server, which names the row and field it cannot read.
 */
export function limitsInput(rows: readonly LimitRow[]): { name: string; limit: number; duration: number | string }[] {
  return rows.map((r) => ({
    name: r.name.trim(),
    limit: Number(r.limit),
    duration: /^\d+$/.test(r.duration.trim()) ? Number(r.duration.trim()) : r.duration.trim(),
  }));
}

/** The error of a field, e.g. `limits[1].duration`, or `limits` for the whole list (a 403 on a token's own chain). */
type ErrorOf = (field: string) => string | undefined;

export function LimitsEditor({ rows, onChange, errorOf, idPrefix, legend = 'Rate limits' }: {
  rows: LimitRow[];
  onChange: (rows: LimitRow[]) => void;
  errorOf: ErrorOf;
  idPrefix: string;
  legend?: string;
}) {
  const set = (i: number, patch: Partial<LimitRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="fieldset">
      <legend>{legend}</legend>
      {errorOf('limits') ? <div className="field-error" role="alert">{errorOf('limits')}</div> : null}
      {rows.length === 0 ? <p className="muted small">No limits: checks are not counted.</p> : null}
      {rows.map((r, i) => {
        const error = errorOf(`limits[${i}].name`) ?? errorOf(`limits[${i}].limit`) ?? errorOf(`limits[${i}].duration`) ?? errorOf(`limits[${i}]`);
        return (
          <div key={i} className="limit-row">
            <div className="row">
              <label className="inline">Name <input id={`${idPrefix}-limit-${i}-name`} className="mono" value={r.name} onChange={(e) => set(i, { name: e.target.value })} placeholder="per-minute" /></label>
              <label className="inline">Limit <input id={`${idPrefix}-limit-${i}-limit`} inputMode="numeric" value={r.limit} onChange={(e) => set(i, { limit: e.target.value })} size={8} /></label>
              <label className="inline">per <input id={`${idPrefix}-limit-${i}-duration`} value={r.duration} onChange={(e) => set(i, { duration: e.target.value })} placeholder="1 minute" size={10} /></label>
              <button type="button" className="button button-small" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove limit ${r.name || i + 1}`}>Remove</button>
            </div>
            {error ? <div className="field-error" role="alert">{error}</div> : null}
          </div>
        );
      })}
      <button type="button" className="button button-small" onClick={() => onChange([...rows, { name: '', limit: '', duration: '1 minute' }])}>Add a limit</button>
    </fieldset>
  );
}
