/** Audit events as a table: when, who, what, on which target, and the change (never a secret). */
import type { AuditEvent } from '../api';
import { formatDate } from '../format';
import { useTokenNames } from '../use-token-names';
import { Link } from './link';
import { TokenRef } from './token-ref';

export function AuditTable({ events }: { events: AuditEvent[] }) {
  const names = useTokenNames(events.flatMap((e) => [e.actor, e.targetType === 'token' ? e.targetId : null]), recordedNames(events));
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
              <td data-label="Action"><span className="badge">{e.action}</span>{isLeak(e) && <span className="badge badge-revoked badge-leaked">leaked</span>}</td>
              <td data-label="Target" className="small"><Target event={e} names={names} /></td>
              <td data-label="Actor" className="small">{e.actor ? <TokenRef id={e.actor} name={names.get(e.actor)} /> : isLeak(e) ? 'leak report' : 'CLI'}</td>
              <td data-label="Change" className="small">{[leakPlace(e), summarise(e.before, e.after)].filter(Boolean).join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Names the events themselves recorded for their token targets (a deleted token's name survives there). */
function recordedNames(events: AuditEvent[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const e of events) {
    if (e.targetType !== 'token') continue;
    const name = [e.after, e.before].map((side) => (isObject(side) && typeof side.name === 'string' ? side.name : undefined)).find(Boolean);
    if (name) names.set(e.targetId, name);
  }
  return names;
}

/** What an event is about, as a link where the console has a page for it. */
function Target({ event, names }: { event: AuditEvent; names: Map<string, string> }) {
  const id = event.targetId;
  if (event.targetType === 'token' && id) return <>token <TokenRef id={id} name={names.get(id)} /></>;
  if (event.targetType === 'catalog') return <Link to="/catalog">catalog {id}</Link>;
  if (event.targetType === 'endpoint' && id) return <>endpoint <Link to={`/endpoints/${encodeURIComponent(id)}`}>{id}</Link></>;
  return <span className="mono">{event.targetType} {id}</span>;
}

/** The fields that changed, `field: before → after`, or nothing for events without both sides. */
function summarise(before: unknown, after: unknown): string {
  if (!isObject(before) || !isObject(after)) return '';
  const changed = Object.keys(after).filter((k) => k !== 'updatedAt' && k !== 'version' && k !== 'leak' && JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return changed.map((k) => `${k}: ${short(before[k])} → ${short(after[k])}`).join('; ');
}

/** A token stopped by a leak report (POST /v1/leaks): its entry records where the secret was found (docs/leaks.md). */
function isLeak(event: AuditEvent): boolean {
  return isObject(event.after) && isObject(event.after.leak);
}

/** Where a leak report found the secret: its URL, else its kind of place. */
function leakPlace(event: AuditEvent): string {
  const leak = isObject(event.after) && isObject(event.after.leak) ? event.after.leak : undefined;
  const place = leak && (typeof leak.url === 'string' ? leak.url : typeof leak.source === 'string' ? leak.source : undefined);
  return place ? `found at ${place}` : '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
