/** "Assign endpoint tokens": map one secondary token to primaries (endpoint + method); its scopes follow. */
import { useState } from 'react';
import { endpointsApi, type ApiError, type Assignment, type EndpointAuth, type EndpointToken } from '../api';
import { asApiError } from '../use-load';
import { ErrorBanner } from './error-banner';
import { Modal } from './modal';

const key = (a: Assignment) => `${a.endpoint} ${a.method}`;

export function AssignDialog(props: { token: EndpointToken | undefined; endpoints: EndpointAuth[]; onClose: () => void; onSaved: (token: EndpointToken) => void }) {
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [forToken, setForToken] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const token = props.token;
  if (token && forToken !== token.token.id) {
    setForToken(token.token.id);
    setChosen(new Set(token.assignments.map(key)));
    setError(undefined);
  }
  const withPrimaries = props.endpoints.filter((e) => e.primaries.length > 0);

  const save = async () => {
    if (!token) return;
    setBusy(true);
    try {
      const assignments = [...chosen].map((k) => {
        const [endpoint = '', method = ''] = k.split(' ');
        return { endpoint, method };
      });
      props.onSaved(await endpointsApi.assign(token.token.id, assignments));
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={Boolean(token)} title="Assign endpoint tokens" onClose={props.onClose}>
      <p className="muted">Map <strong>{token?.token.name}</strong> to the primary tokens of endpoints. It then works on those endpoints and methods only.</p>
      <ErrorBanner error={error} title="The assignments were not saved." />
      {withPrimaries.length === 0 ? <p className="empty">No endpoint has token authentication on yet.</p> : null}
      <div className="assign-grid">
        {withPrimaries.map((e) => (
          <fieldset key={e.id} className="fieldset">
            <legend>{e.id}</legend>
            <div className="actions">
              {e.primaries.map((p) => {
                const k = `${e.id} ${p.method}`;
                return (
                  <label key={k} className="check">
                    <input type="checkbox" checked={chosen.has(k)} aria-label={`${e.id} ${p.method}`}
                      onChange={(ev) => {
                        const next = new Set(chosen);
                        if (ev.target.checked) next.add(k);
                        else next.delete(k);
                        setChosen(next);
                      }} />
                    <span className={`method method-${p.method.toLowerCase()}`}>{p.method}</span>
                  </label>
                );
              })}
            </div>
          </fieldset>
        ))}
      </div>
      <div className="actions dialog-actions">
        <button type="button" className="button" onClick={props.onClose}>Cancel</button>
        <button type="button" className="button button-primary" disabled={busy} onClick={() => void save()}>Save assignments</button>
      </div>
    </Modal>
  );
}
