/** Add credits to a token's or an identity's balance, or set one where it has none; audited as token.credits / identity.credits. */
import { useState } from 'react';
import { creditsApi } from '../api';
import { useSaving } from '../use-load';
import { ErrorBanner } from './error-banner';

const EXPLAINED = {
  token: {
    has: 'Each check of this token (and of the tokens it made) spends its cost from these credits.',
    none: 'This token has no credits: every check passes without spending any. Give it a balance to meter it.',
  },
  identity: {
    has: 'Each check of any of its tokens spends its cost from these credits.',
    none: 'This identity has no credits: its tokens’ checks spend none. Give it a balance to meter all its tokens together.',
  },
};

/** `onSaved` gets the notice to show; the page reloads what it shows. */
export function CreditsCard({ holder, id, credits, onSaved }: {
  holder: 'token' | 'identity';
  id: string;
  credits: { remaining: number } | null;
  onSaved: (notice: string) => Promise<void> | void;
}) {
  const [amount, setAmount] = useState('');
  const { saving, error, run } = useSaving();
  const has = credits !== null;
  const value = Number(amount);
  const valid = /^\d+$/.test(amount.trim()) && (has ? value > 0 : true);
  const inputId = `${holder}-credits`;

  const save = () => run(async () => {
    const saved = has ? await creditsApi.add(holder, id, value) : await creditsApi.set(holder, id, value);
    await onSaved(`Credits saved: ${saved.remaining} left.`);
    setAmount('');
  });

  return (
    <div className="card">
      <h2>Credits</h2>
      <p className="muted">{has ? EXPLAINED[holder].has : EXPLAINED[holder].none}</p>
      <ErrorBanner error={error} title="The credits were not saved." />
      <div className="field inline-add">
        <label htmlFor={inputId}>{has ? 'Credits to add' : 'Starting credits'}</label>
        <div className="row">
          <input id={inputId} inputMode="numeric" value={amount} onChange={(e) => setAmount(e.target.value)} />
          <button type="button" className="button button-primary" disabled={!valid || saving} onClick={() => void save()}>
            {saving ? 'Saving…' : has ? 'Add credits' : 'Set credits'}
          </button>
        </div>
      </div>
    </div>
  );
}
