/**
 * Identities: the users or customers tokens belong to (Unkey's identities). The list, found by external id, and the
 * form that adds one with the rate limits its tokens will share.
 */
import { useState, type FormEvent } from 'react';
import { identitiesApi, type ApiError, type Identity } from '../api';
import { formatDate, formatSeconds } from '../format';
import { navigate } from '../router';
import { asApiError, useLoad } from '../use-load';
import { ErrorBanner } from '../components/error-banner';
import { Field } from '../components/field';
import { LimitsEditor, limitsInput, type LimitRow } from '../components/limits-editor';
import { Link } from '../components/link';
import { parseMetadata } from '../components/metadata-field';

export function limitSummary(limits: Identity['limits']): string {
  return limits.length ? limits.map((l) => `${l.name}: ${l.limit} per ${formatSeconds(l.duration)}`).join(', ') : 'none';
}

export function IdentitiesPage() {
  const [externalId, setExternalId] = useState('');
  const [more, setMore] = useState<Identity[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [adding, setAdding] = useState(false);
  const list = useLoad(() => identitiesApi.list({ limit: 50, ...(externalId.trim() ? { externalId: externalId.trim() } : {}) }), [externalId]);
  const next = cursor === undefined ? list.data?.nextCursor ?? null : cursor;
  const identities = [...(list.data?.items ?? []), ...more];
  const [moreError, setMoreError] = useState<ApiError>();

  const loadMore = async () => {
    if (!next) return;
    try {
      const page = await identitiesApi.list({ limit: 50, cursor: next });
      setMore((m) => [...m, ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      setMoreError(asApiError(err));
    }
  };

  return (
    <section>
      <div className="page-head">
        <h1>Identities</h1>
        <div className="actions">
          <button type="button" className="button button-primary" onClick={() => setAdding(!adding)} aria-expanded={adding}>New identity</button>
        </div>
      </div>
      <p className="muted">The users or customers your tokens belong to. An identity’s rate limits are shared by all its tokens: each check of any of them counts.</p>
      {adding ? <NewIdentity onCancel={() => setAdding(false)} /> : null}
      <div className="toolbar">
        <label className="inline">
          Find by external id{' '}
          <input value={externalId} onChange={(e) => { setExternalId(e.target.value); setMore([]); setCursor(undefined); }} aria-label="Find an identity by its external id" className="mono" />
        </label>
      </div>
      <ErrorBanner error={list.error ?? moreError} title="The identities could not be loaded." />
      {list.data && identities.length === 0 ? <p className="empty">{externalId.trim() ? 'No identity has that external id.' : 'No identities yet.'}</p> : null}
      {identities.length ? (
        <table className="table">
          <thead>
            <tr><th scope="col">External id</th><th scope="col">Name</th><th scope="col">Rate limits</th><th scope="col">Created</th></tr>
          </thead>
          <tbody>
            {identities.map((i) => (
              <tr key={i.id}>
                <td><Link to={`/identities/${encodeURIComponent(i.id)}`} className="mono">{i.externalId}</Link></td>
                <td>{i.name ?? '—'}</td>
                <td className="small">{limitSummary(i.limits)}</td>
                <td>{formatDate(i.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {next ? <button type="button" className="button" onClick={() => void loadMore()}>Load more</button> : null}
    </section>
  );
}

function NewIdentity({ onCancel }: { onCancel: () => void }) {
  const [externalId, setExternalId] = useState('');
  const [name, setName] = useState('');
  const [metadata, setMetadata] = useState('');
  const [limits, setLimits] = useState<LimitRow[]>([]);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const errorOf = (field: string) => (error?.field === field ? error.text : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseMetadata(metadata);
    if (parsed.error) {
      setError(parsed.error);
      return;
    }
    setBusy(true);
    try {
      const made = await identitiesApi.create({
        externalId: externalId.trim(),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(parsed.value ? { metadata: parsed.value } : {}),
        limits: limitsInput(limits),
      });
      navigate(`/identities/${encodeURIComponent(made.id)}`);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-label="New identity">
      <h2>New identity</h2>
      {error && !error.field ? <ErrorBanner error={error} title="The identity was not created." /> : null}
      <div className="grid-2">
        <Field label="External id" htmlFor="identity-external-id" hint="Your own id for the user or customer: unique in the account." error={errorOf('externalId')} announce>
          <input id="identity-external-id" className="mono" value={externalId} onChange={(e) => setExternalId(e.target.value)} required maxLength={200} />
        </Field>
        <Field label="Name" htmlFor="identity-name" error={errorOf('name')} announce>
          <input id="identity-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        </Field>
      </div>
      <Field label="Metadata (JSON)" htmlFor="identity-metadata" hint='Optional, e.g. {"plan": "pro"}' error={errorOf('metadata')} announce>
        <textarea id="identity-metadata" className="mono" rows={3} value={metadata} onChange={(e) => setMetadata(e.target.value)} />
      </Field>
      <LimitsEditor rows={limits} onChange={setLimits} errorOf={errorOf} idPrefix="new-identity" />
      <div className="actions">
        <button type="button" className="button" onClick={onCancel}>Cancel</button>
        <button type="submit" className="button button-primary" disabled={busy}>Create identity</button>
      </div>
    </form>
  );
}
