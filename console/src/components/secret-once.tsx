/** A secret shown once: hidden by default, an eye button to reveal it, Copy, and a plain warning. */
import { useEffect, useRef, useState } from 'react';

/**
 * `focus`: move the keyboard to the secret when it appears (after Create, focus would otherwise fall to <body>).
 * `kind`: what the secret is — a token (the default; only its hash is kept) or a webhook signing secret.
 */
export function SecretOnce({ secret, title, focus, kind = 'token' }: { secret: string; title: string; focus?: boolean; kind?: 'token' | 'signing secret' }) {
  const [revealed, setRevealed] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focus) input.current?.focus();
  }, [focus]);
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };

  return (
    <section className="secret-once" aria-labelledby="secret-title">
      <h2 id="secret-title">{title}</h2>
      {kind === 'token' ? (
        <p className="banner banner-warning" role="note">
          <strong>Copy this token now and store it somewhere safe.</strong> It cannot be shown again: Tessera keeps only a hash of it.
          If you lose it, rotate the token to get a new one.
        </p>
      ) : (
        <p className="banner banner-warning" role="note">
          <strong>Copy this signing secret now into your receiver’s configuration.</strong> It is not shown again. Your receiver
          checks each delivery’s signature with it; if you lose it, rotate the secret.
        </p>
      )}
      <div className="secret-row">
        <input
          ref={input}
          className="secret-value mono"
          aria-label={kind === 'token' ? 'Token secret' : 'Signing secret'}
          readOnly
          type={revealed ? 'text' : 'password'}
          value={secret}
          onFocus={(e) => e.currentTarget.select()}
          data-testid="secret"
        />
        <button type="button" className="button icon-button" aria-pressed={revealed} aria-label={revealed ? `Hide ${kind}` : `Show ${kind}`} onClick={() => setRevealed(!revealed)}>
          {revealed ? <EyeOff /> : <Eye />}
        </button>
        <button type="button" className="button button-primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p aria-live="polite" className="hint">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Copying is not allowed here: reveal the token and copy it by hand.' : ''}
      </p>
    </section>
  );
}

function Eye() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <path d="M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z" />
      <circle cx="12" cy="12" r="3" />
    </svg>
  );
}

function EyeOff() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <path d="M17.9 17.9A10.4 10.4 0 0 1 12 19C5 19 1 12 1 12a18.5 18.5 0 0 1 5.1-5.9M9.9 4.2A9.9 9.9 0 0 1 12 4c7 0 11 8 11 8a18.6 18.6 0 0 1-2.2 3.2M14.1 14.1a3 3 0 1 1-4.2-4.2" />
      <line x1="1" y1="1" x2="23" y2="23" />
    </svg>
  );
}
