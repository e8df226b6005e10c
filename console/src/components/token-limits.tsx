/** A token's own rate limits, edited in place: `PATCH /v1/tokens/{id}` with `limits` replaces the list (docs/limits.md). */
import { useState } from 'react';
import { api, type Token } from '../api';
import { useSaving } from '../use-load';
import { ErrorBanner } from './error-banner';
import { LimitsEditor, limitRows, limitsInput, type LimitRow } from './limits-editor';

const same = (a: LimitRow[], b: LimitRow[]) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `own`: the console is signed in with this token. The server refuses (403 naming `limits`) a token changing the
 * limits of itself or of a token that made it; the console says so first and shows the refusal beside the list.
 */
export function TokenLimits({ token, own, onSaved }: { token: Token; own: boolean; onSaved: (token: Token) => void }) {
  const [rows, setRows] = useState<LimitRow[]>(() => limitRows(token.limits));
  const { saving, error, setError, run } = useSaving();
  const dirty = !same(rows, limitRows(token.limits));
  // A field's error shows beside it; anything else (the network, a 404) in a banner.
  const errorOf = (field: string) => (error?.field === field ? error.text : undefined);

  const save = () => run(async () => {
    onSaved(await api.updateToken(token.id, { limits: limitsInput(rows) }));
  });

  return (
    <div className="card">
      <h2>Rate limits</h2>
      <p className="muted">
        Each check of this token (and of the tokens it made) consumes its cost from these limits, as well as from its
        identity’s and those of the tokens that made it. A token cannot change its own limits nor those of a token that made it.
      </p>
      {own ? <p className="muted">This is the token you are signed in with: another token must change its limits.</p> : null}
      <ErrorBanner error={error && !error.field?.startsWith('limits') ? error : undefined} title="The rate limits were not saved." />
      <LimitsEditor rows={rows} onChange={setRows} errorOf={errorOf} idPrefix="token" legend="Its own limits" />
      <div className="actions">
        <button type="button" className="button" disabled={!dirty || saving} onClick={() => { setRows(limitRows(token.limits)); setError(undefined); }}>Reset</button>
        <button type="button" className="button button-primary" disabled={!dirty || saving} onClick={() => void save()}>
          {saving ? 'Saving…' : 'Save rate limits'}
        </button>
      </div>
    </div>
  );
}
