/** Audit events as a table: when, who, what, on which target, and the change (never a secret). */
import type { AuditEvent } from '../api';
import { formatDate } from '../format';

export function AuditTable({ events }: { events: AuditEvent[] }) {
  if (events.length === 0) return <p className="empty">No audit events.</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Actor</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id}>
              <td data-label="When">{formatDate(e.at)}</td>
              <td data-label="Action"><span className="badge">{e.action}</span></td>
              <td data-label="Target" className="mono small">{e.targetType} {e.targetId}</td>
              <td data-label="Actor" className="mono small">{e.actor ?? 'CLI'}</td>
              <td data-label="Change" className="small">{summarise(e.before, e.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The fields that changed, `field: before → after`, or nothing for events without both sides. */
function summarise(before: unknown, after: unknown): string {
  if (!isObject(before) || !isObject(after)) return '';
  const changed = Object.keys(after).filter((k) => k !== 'updatedAt' && k !== 'version' && JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return changed.map((k) => `${k}: ${short(before[k])} → ${short(after[k])}`).join('; ');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
