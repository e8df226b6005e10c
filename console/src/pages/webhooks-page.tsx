/** Webhooks: the endpoints that receive signed lifecycle events, adding one (its secret shown once), and each one's delivery log. */
import { useState, type FormEvent } from 'react';
import { webhooksApi, type ApiError, type Webhook, type WebhookDelivery } from '../api';
import { asApiError, useLoad } from '../use-load';
import { ErrorBanner } from '../components/error-banner';
import { Field } from '../components/field';
import { Link } from '../components/link';
import { Modal } from '../components/modal';
import { SecretOnce } from '../components/secret-once';
import { Switch } from '../components/switch';

/** The event types an endpoint may subscribe to (docs/webhooks.md); "All events" sends every type, new ones included. */
const EVENT_TYPES = [
  'token.created', 'token.updated', 'token.enabled', 'token.disabled', 'token.rotated', 'token.revoked', 'token.deleted',
  'token.expiring', 'token.expired', 'token.unused', 'token.leaked', 'token.rate_limited',
  'token.credits_exhausted', 'catalog.applied',
] as const;

export function WebhooksPage({ webhookId }: { webhookId: string | undefined }) {
  return webhookId ? <WebhookDeliveries id={webhookId} /> : <WebhookList />;
}

function WebhookList() {
  const list = useLoad(() => webhooksApi.list(), []);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<ApiError>();

  const setEnabled = async (w: Webhook, on: boolean) => {
    try {
      await webhooksApi.setEnabled(w.id, on);
      setError(undefined);
      list.reload();
    } catch (err) {
      setError(asApiError(err));
    }
  };

  return (
    <section>
      <div className="page-head">
        <h1>Webhooks</h1>
        <button type="button" className="button button-primary" onClick={() => setAdding(true)}>+ Add endpoint</button>
      </div>
      <p className="muted small">Tessera POSTs signed events (Standard Webhooks) to these URLs when tokens change, expire, go unused or leak.</p>
      <ErrorBanner error={list.error ?? error} title="The webhooks could not be loaded or changed." />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">Description</th><th scope="col">Enabled</th><th scope="col">Deliveries</th></tr>
          </thead>
          <tbody>
            {(list.data?.items ?? []).map((w) => (
              <tr key={w.id}>
                <td data-label="URL" className="mono small">{w.url}</td>
                <td data-label="Events">{w.eventTypes.includes('*') ? 'All events' : <ul className="chips">{w.eventTypes.map((t) => <li key={t} className="chip">{t}</li>)}</ul>}</td>
                <td data-label="Description">{w.description ?? '—'}</td>
                <td data-label="Enabled"><Switch checked={w.enabled} label={`Enabled: ${w.url}`} onChange={(on) => void setEnabled(w, on)} /></td>
                <td data-label="Deliveries"><Link to={`/webhooks/${encodeURIComponent(w.id)}`}>Delivery log</Link></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.data && list.data.items.length === 0 ? <p className="empty">No webhook endpoints yet.</p> : null}
      <AddWebhookDialog open={adding} onClose={() => setAdding(false)} onCreated={() => list.reload()} />
    </section>
  );
}

function AddWebhookDialog(props: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [all, setAll] = useState(true);
  const [types, setTypes] = useState<string[]>([]);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string>();

  const close = () => {
    setUrl('');
    setDescription('');
    setAll(true);
    setTypes([]);
    setError(undefined);
    setSecret(undefined);
    props.onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const created = await webhooksApi.create({ url: url.trim(), eventTypes: all ? ['*'] : types, ...(description.trim() ? { description: description.trim() } : {}) });
      setSecret(created.secret);
      setError(undefined);
      props.onCreated();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  const toggle = (type: string, on: boolean) => setTypes(on ? [...types, type] : types.filter((t) => t !== type));
  const fieldError = (f: string) => (error?.field !== undefined && (error.field === f || error.field.startsWith(`${f}[`)) ? error.text : undefined);

  return (
    <Modal open={props.open} title="Add a webhook endpoint" onClose={close}>
      {secret ? (
        <>
          <SecretOnce secret={secret} title="The endpoint’s signing secret" kind="signing secret" focus />
          <div className="actions dialog-actions"><button type="button" className="button button-primary" onClick={close}>Done</button></div>
        </>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate>
          {error && !error.field ? <ErrorBanner error={error} title="The endpoint was not added." /> : null}
          <Field label="URL" htmlFor="webhook-url" hint="An http:// or https:// address that accepts POST requests." error={fieldError('url')} announce>
            <input id="webhook-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} maxLength={2048} autoFocus />
          </Field>
          <Field label="Description" htmlFor="webhook-description" error={fieldError('description')}>
            <input id="webhook-description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} />
          </Field>
          <fieldset className="field">
            <legend>Events</legend>
            <label className="check"><input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> All events</label>
            {all ? null : (
              <ul className="check-list columns">
                {EVENT_TYPES.map((type) => (
                  <li key={type}><label className="check"><input type="checkbox" checked={types.includes(type)} onChange={(e) => toggle(type, e.target.checked)} /> <span className="mono">{type}</span></label></li>
                ))}
              </ul>
            )}
            {fieldError('eventTypes') ? <div className="field-error" role="alert">{fieldError('eventTypes')}</div> : null}
          </fieldset>
          <div className="actions dialog-actions">
            <button type="button" className="button" onClick={close}>Cancel</button>
            <button type="submit" className="button button-primary" disabled={busy || !url.trim()}>Add endpoint</button>
          </div>
        </form>
      )}
    </Modal>
  );
}

function WebhookDeliveries({ id }: { id: string }) {
  const webhook = useLoad(() => webhooksApi.get(id), [id]);
  const log = useLoad(() => webhooksApi.deliveries(id), [id]);
  const [error, setError] = useState<ApiError>();
  const [queued, setQueued] = useState<string>();

  const redeliver = async (d: WebhookDelivery) => {
    try {
      await webhooksApi.redeliver(id, d.id);
      setError(undefined);
      setQueued(d.id);
      log.reload();
    } catch (err) {
      setError(asApiError(err));
    }
  };

  return (
    <section>
      <p><Link to="/webhooks">← Webhooks</Link></p>
      <h1>Delivery log</h1>
      <ErrorBanner error={webhook.error ?? log.error ?? error} title="The delivery log could not be loaded or changed." />
      {webhook.data ? <p className="mono small">{webhook.data.url}</p> : null}
      <p aria-live="polite" className="hint">{queued ? `Event ${queued} is queued to be sent again.` : ''}</p>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last answer</th><th scope="col">Next attempt</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {(log.data?.items ?? []).map((d) => (
              <tr key={d.id}>
                <td data-label="Event"><span className="mono small">{d.eventType}</span><br /><span className="muted small mono">{d.id}</span></td>
                <td data-label="Status"><span className={d.status === 'delivered' ? 'badge badge-active' : d.status === 'failed' ? 'badge badge-revoked' : 'badge'}>{d.status}</span></td>
                <td data-label="Attempts">{d.attempts}</td>
                <td data-label="Last answer">{d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : d.lastError ?? '—'}</td>
                <td data-label="Next attempt">{d.nextAttemptAt ?? '—'}</td>
                <td data-label="Actions">
                  <button type="button" className="button button-small" aria-label={`Redeliver ${d.eventType} ${d.id}`} onClick={() => void redeliver(d)}>Redeliver</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {log.data && log.data.items.length === 0 ? <p className="empty">Nothing was sent to this endpoint yet.</p> : null}
    </section>
  );
}
