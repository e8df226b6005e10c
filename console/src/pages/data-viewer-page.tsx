/**
 * Data viewer: calls per minute, hour or day by outcome, filtered by token and endpoint, as a chart and a table, and
 * the checks refused by a limit counted per limit.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { api, endpointsApi, loadUsage, type UsageQuery } from '../api';
import { formatDate } from '../format';
import { useLoad } from '../use-load';
import { ErrorBanner } from '../components/error-banner';
import { Field } from '../components/field';
import { RefusalsByLimit } from '../components/refusals-by-limit';
import { UsageChart } from '../components/usage-chart';

/** `refusedBy`: only the checks one limit refused (`token:per-minute`, `identity:per-day`, `credits`), picked from the breakdown. */
interface Filters { tokenId: string; endpoint: string; outcome: string; refusedBy: string; bucket: 'minute' | 'hour' | 'day'; from: string; to: string }
const initial: Filters = { tokenId: '', endpoint: '', outcome: '', refusedBy: '', bucket: 'hour', from: '', to: '' };
const outcomes = ['VALID', 'INSUFFICIENT_SCOPE', 'IP_NOT_ALLOWED', 'DISABLED', 'REVOKED', 'EXPIRED', 'NOT_YET_VALID', 'RATE_LIMITED', 'USAGE_EXCEEDED'];

export function DataViewerPage() {
  const [draft, setDraft] = useState<Filters>(() => ({ ...initial, tokenId: new URLSearchParams(window.location.search).get('tokenId') ?? '' }));
  const [filters, setFilters] = useState<Filters>(draft);
  const tokens = useLoad(() => api.listTokens({ status: 'all', limit: 200 }), []);
  // The endpoint list is a convenience: without endpoint tokens (or the permission) the field is free text.
  const endpoints = useLoad(() => endpointsApi.list().catch(() => ({ items: [] })), []);
  const routes = useMemo(() => (endpoints.data?.items ?? []).flatMap((e) => e.routes), [endpoints.data]);
  const usage = useLoad(() => {
    const query: UsageQuery = {
      bucket: filters.bucket,
      limit: 2000,
      ...(filters.tokenId ? { tokenId: filters.tokenId } : {}),
      ...(filters.endpoint ? { endpoint: filters.endpoint } : {}),
      ...(filters.outcome ? { outcome: filters.outcome } : {}),
      ...(filters.refusedBy ? { refusedBy: filters.refusedBy } : {}),
      ...(filters.from ? { from: new Date(filters.from).toISOString() } : {}),
      ...(filters.to ? { to: new Date(filters.to).toISOString() } : {}),
    };
    return loadUsage(query);
  }, [filters]);
  const names = new Map((tokens.data?.items ?? []).map((t) => [t.id, t.name]));
  const fieldError = (f: string) => (usage.error?.field === f || usage.error?.field === `querystring.${f}` ? usage.error.text : undefined);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };

  return (
    <section>
      <h1>Data viewer</h1>
      <form className="card filters filters-6" onSubmit={apply}>
        <Field label="Token" htmlFor="usage-token" error={fieldError('tokenId')}>
          <select id="usage-token" value={draft.tokenId} onChange={(e) => setDraft({ ...draft, tokenId: e.target.value })}>
            <option value="">All tokens</option>
            {(tokens.data?.items ?? []).map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
          </select>
        </Field>
        <Field label="Endpoint" htmlFor="usage-endpoint" error={fieldError('endpoint')}>
          <input id="usage-endpoint" list="usage-endpoints" className="mono" placeholder="Any" value={draft.endpoint} onChange={(e) => setDraft({ ...draft, endpoint: e.target.value })} />
          <datalist id="usage-endpoints">{routes.map((r) => <option key={r} value={r} />)}</datalist>
        </Field>
        <Field label="Outcome" htmlFor="usage-outcome">
          <select id="usage-outcome" value={draft.outcome} onChange={(e) => setDraft({ ...draft, outcome: e.target.value })}>
            <option value="">Any</option>
            {outcomes.map((o) => <option key={o} value={o}>{o}</option>)}
          </select>
        </Field>
        <Field label="Per" htmlFor="usage-bucket">
          <select id="usage-bucket" value={draft.bucket} onChange={(e) => setDraft({ ...draft, bucket: e.target.value as Filters['bucket'] })}>
            <option value="minute">minute</option>
            <option value="hour">hour</option>
            <option value="day">day</option>
          </select>
        </Field>
        <Field label="From" htmlFor="usage-from" error={fieldError('from')}>
          <input id="usage-from" type="datetime-local" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </Field>
        <Field label="To" htmlFor="usage-to" error={fieldError('to')}>
          <input id="usage-to" type="datetime-local" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </Field>
        <div className="actions">
          <button type="submit" className="button button-primary">Show</button>
        </div>
      </form>
      {usage.error && !fieldError('tokenId') && !fieldError('from') && !fieldError('to') && !fieldError('endpoint') ? <ErrorBanner error={usage.error} title="Usage could not be loaded." /> : null}
      {/* After a refused query the old chart would answer a question nobody asked any more: show none. */}
      {usage.data && !usage.error ? (
        <>
          <div className="card"><UsageChart buckets={usage.data} bucket={filters.bucket} /></div>
          <RefusalsByLimit buckets={usage.data} selected={filters.refusedBy}
            onSelect={(refusedBy) => { setDraft({ ...draft, refusedBy }); setFilters({ ...filters, refusedBy }); }} />
          {usage.data.length ? (
            <div className="table-wrap">
              <table className="table">
                <thead><tr><th scope="col">From</th><th scope="col">Token</th><th scope="col">Endpoint</th><th scope="col">Outcome</th><th scope="col">Refused by</th><th scope="col">Calls</th></tr></thead>
                <tbody>
                  {[...usage.data].reverse().map((b, i) => (
                    <tr key={i}>
                      <td data-label="From">{formatDate(b.bucket)}</td>
                      <td data-label="Token">{names.get(b.tokenId) ?? <span className="mono small">{b.tokenId}</span>}</td>
                      <td data-label="Endpoint" className="mono small">{b.endpoint ?? 'scope check'}</td>
                      <td data-label="Outcome">{b.outcome}</td>
                      <td data-label="Refused by" className="mono small">{b.refusedBy ?? '—'}</td>
                      <td data-label="Calls">{b.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
