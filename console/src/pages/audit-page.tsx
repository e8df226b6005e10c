/** The audit log, newest first, filtered by token, action and time. */
import { useState, type FormEvent } from 'react';
import { api, type ApiError, type AuditAction, type AuditEvent } from '../api';
import { asApiError, useLoad } from '../use-load';
import { AuditTable } from '../components/audit-table';
import { ErrorBanner } from '../components/error-banner';
import { Field } from '../components/field';

const actions: AuditAction[] = ['account.create', 'account.update', 'token.create', 'token.update', 'token.enable', 'token.disable', 'token.revoke', 'token.rotate', 'token.delete', 'catalog.apply', 'key.rotate', 'endpoint.auth', 'endpoint.assign'];

interface Filters { tokenId: string; action: AuditAction | ''; from: string; to: string }
const empty: Filters = { tokenId: '', action: '', from: '', to: '' };

export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(empty);
  const [filters, setFilters] = useState<Filters>(empty);
  const [more, setMore] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>();
  const [moreError, setMoreError] = useState<ApiError>();
  const query = () => ({
    tokenId: filters.tokenId || undefined,
    action: filters.action || undefined,
    from: filters.from ? new Date(filters.from).toISOString() : undefined,
    to: filters.to ? new Date(filters.to).toISOString() : undefined,
    limit: 50,
  });
  const page = useLoad(async () => {
    const result = await api.audit(query());
    setMore([]);
    setCursor(result.nextCursor);
    return result;
  }, [filters]);
  const chain = useLoad(() => api.auditChain(), []);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };
  const loadMore = async () => {
    if (!cursor) return;
    try {
      const next = await api.audit({ ...query(), cursor });
      setMore((m) => [...m, ...next.items]);
      setCursor(next.nextCursor);
      setMoreError(undefined);
    } catch (err) {
      setMoreError(asApiError(err));
    }
  };
  const fieldError = (f: string) => (page.error?.field === f || page.error?.field === `querystring.${f}` ? page.error.text : undefined);

  return (
    <section>
      <div className="page-head">
        <h1>Audit log</h1>
        {chain.data ? <span className={chain.data.ok ? 'badge badge-active' : 'badge badge-revoked'}>{chain.data.ok ? 'Hash chain intact' : `Hash chain broken: ${chain.data.problem ?? ''}`}</span> : null}
      </div>
      <form className="card filters" onSubmit={apply}>
        <Field label="Token id" htmlFor="audit-token" error={fieldError('tokenId')}>
          <input id="audit-token" className="mono" value={draft.tokenId} onChange={(e) => setDraft({ ...draft, tokenId: e.target.value })} />
        </Field>
        <Field label="Action" htmlFor="audit-action" error={fieldError('action')}>
          <select id="audit-action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value as AuditAction | '' })}>
            <option value="">Any</option>
            {actions.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </Field>
        <Field label="From" htmlFor="audit-from" error={fieldError('from')}>
          <input id="audit-from" type="datetime-local" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </Field>
        <Field label="To" htmlFor="audit-to" error={fieldError('to')}>
          <input id="audit-to" type="datetime-local" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </Field>
        <div className="actions">
          <button type="button" className="button" onClick={() => { setDraft(empty); setFilters(empty); }}>Clear</button>
          <button type="submit" className="button button-primary">Filter</button>
        </div>
      </form>
      {page.error && !fieldError('tokenId') && !fieldError('action') && !fieldError('from') && !fieldError('to') ? <ErrorBanner error={page.error} title="The audit log could not be loaded." /> : null}
      {page.data ? <AuditTable events={[...page.data.items, ...more]} /> : null}
      <ErrorBanner error={moreError} title="More events could not be loaded." />
      {cursor ? <button type="button" className="button" onClick={() => void loadMore()}>Load more</button> : null}
    </section>
  );
}
