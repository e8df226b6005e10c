/** Sign in with a token. It is kept in this tab only (sessionStorage) and sent as a bearer token. */
import { useState, type FormEvent } from 'react';
import { api, type ApiError } from '../api';
import { saveSession, sessionEndReason } from '../session';
import { handOverAccount } from '../signed-in';
import { asApiError } from '../use-load';
import { Field } from '../components/field';

export function SignInPage() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  // Read once: the reason belongs to the session that just ended, not to a later failed attempt.
  const [ended] = useState(sessionEndReason);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) return;
    setBusy(true);
    try {
      handOverAccount(value, await api.account(value));
      saveSession(value);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const message = error
    ? error.status === 401
      ? 'This token is not valid: it may be mistyped, expired, disabled or revoked.'
      : error.status === 403
        ? 'This token is valid but may not read the account. Sign in with a management token.'
        : error.text
    : undefined;

  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={(e) => void submit(e)} noValidate>
        <h1>Tessera console</h1>
        {ended && !error ? (
          <p className="banner banner-warning" role="alert">
            <strong>Your session ended:</strong> {ended}. Sign in again, with another token if this one no longer works.
          </p>
        ) : null}
        <p className="muted">Sign in with an access token. It is kept for this browser tab only.</p>
        <Field label="Access token" htmlFor="sign-in-token" error={message} announce>
          <input
            id="sign-in-token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            className="mono"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-invalid={message ? true : undefined}
            aria-describedby={message ? 'sign-in-token-error' : undefined}
            autoFocus
          />
        </Field>
        <button type="submit" className="button button-primary" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
