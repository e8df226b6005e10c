/**
 * The checks refused by a limit in the period, per limit: `refusedBy` of the usage buckets, summed. A row picks that
 * limit as the data viewer's filter (`GET /v1/usage?refusedBy=`).
 */
import type { UsageBucket } from '../api';

/** "token:per-minute" → the limit's name and whose it is; "credits" for a check refused by spent credits. */
export function refusalLimit(refusedBy: string): { name: string; whose: string } {
  const colon = refusedBy.indexOf(':');
  return colon < 0 ? { name: refusedBy, whose: '—' } : { name: refusedBy.slice(colon + 1), whose: refusedBy.slice(0, colon) };
}

/** Refusals per limit, most first. */
export function refusalsByLimit(buckets: readonly UsageBucket[]): [string, number][] {
  const sums = new Map<string, number>();
  for (const b of buckets) if (b.refusedBy) sums.set(b.refusedBy, (sums.get(b.refusedBy) ?? 0) + b.count);
  return [...sums].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** `selected`: the limit the view is filtered by ('' for none); `onSelect('')` shows every check again. */
export function RefusalsByLimit({ buckets, selected, onSelect }: { buckets: readonly UsageBucket[]; selected: string; onSelect: (refusedBy: string) => void }) {
  const rows = refusalsByLimit(buckets);
  if (rows.length === 0 && !selected) return null;
  return (
    <div className="card">
      <div className="page-head">
        <h2>Refusals by limit</h2>
        {selected ? <button type="button" className="button button-small" onClick={() => onSelect('')}>Show every check</button> : null}
      </div>
      <p className="muted small">
        {selected ? `Only the checks ${selected} refused.` : 'Checks refused by a rate limit (RATE_LIMITED) or by spent credits (USAGE_EXCEEDED) in this period, per limit.'}
      </p>
      {rows.length ? (
        <table className="table">
          <thead><tr><th scope="col">Limit</th><th scope="col">Whose</th><th scope="col">Refusals</th><th scope="col"><span className="visually-hidden">Filter</span></th></tr></thead>
          <tbody>
            {rows.map(([refusedBy, count]) => {
              const { name, whose } = refusalLimit(refusedBy);
              return (
                <tr key={refusedBy}>
                  <td data-label="Limit" className="mono">{name}</td>
                  <td data-label="Whose">{whose}</td>
                  <td data-label="Refusals">{count}</td>
                  <td>
                    {selected === refusedBy ? null : (
                      <button type="button" className="button button-small" onClick={() => onSelect(refusedBy)}>
                        Show only these<span className="visually-hidden"> ({refusedBy})</span>
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : <p className="empty">No check was refused by a limit in this period.</p>}
    </div>
  );
}
