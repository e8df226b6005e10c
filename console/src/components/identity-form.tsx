/** The fields of an identity (external id, name, metadata, shared rate limits), for adding one and for editing it. */
import { useState, type FormEvent } from 'react';
import type { ApiError, Identity, IdentityInput } from '../api';
import { asApiError } from '../use-load';
import { ErrorBanner } from './error-banner';
import { Field } from './field';
import { LimitsEditor, limitRows, limitsInput, type LimitRow } from './limits-editor';
import { parseMetadata } from './metadata-field';

/**
 * `initial`: the identity being edited (its fields filled in), or none for a new one. `onSubmit` gets every field, as
 * the API takes them (an emptied name or metadata is `null`); its failure is shown at the field it names.
 */
export function IdentityForm(props: {
  initial?: Identity;
  title: string;
  submitLabel: string;
  idPrefix: string;
  onSubmit: (body: IdentityInput & { name: string | null; metadata: Record<string, unknown> | null }) => Promise<void>;
  onCancel: () => void;
}) {
  const { initial, idPrefix } = props;
  const [externalId, setExternalId] = useState(initial?.externalId ?? '');
  const [name, setName] = useState(initial?.name ?? '');
  const [metadata, setMetadata] = useState(initial?.metadata && Object.keys(initial.metadata).length ? JSON.stringify(initial.metadata, null, 2) : '');
  const [limits, setLimits] = useState<LimitRow[]>(limitRows(initial?.limits ?? []));
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
      await props.onSubmit({ externalId: externalId.trim(), name: name.trim() || null, metadata: parsed.value ?? null, limits: limitsInput(limits) });
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-label={props.title}>
      <h2>{props.title}</h2>
      {error && !error.field ? (
        <ErrorBanner error={error} title={error.status === 412 ? 'Someone else changed this identity first: reload to see it.' : 'That was not saved.'} />
      ) : null}
      <div className="grid-2">
        <Field label="External id" htmlFor={`${idPrefix}-external-id`} hint="Your own id for the user or customer: unique in the account." error={errorOf('externalId')} announce>
          <input id={`${idPrefix}-external-id`} className="mono" value={externalId} onChange={(e) => setExternalId(e.target.value)} required maxLength={200} />
        </Field>
        <Field label="Name" htmlFor={`${idPrefix}-name`} error={errorOf('name')} announce>
          <input id={`${idPrefix}-name`} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        </Field>
      </div>
      <Field label="Metadata (JSON)" htmlFor={`${idPrefix}-metadata`} hint='Optional, e.g. {"plan": "pro"}' error={errorOf('metadata')} announce>
        <textarea id={`${idPrefix}-metadata`} className="mono" rows={3} value={metadata} onChange={(e) => setMetadata(e.target.value)} />
      </Field>
      <LimitsEditor rows={limits} onChange={setLimits} errorOf={errorOf} idPrefix={idPrefix} />
      <div className="actions">
        <button type="button" className="button" onClick={props.onCancel}>Cancel</button>
        <button type="submit" className="button button-primary" disabled={busy}>{props.submitLabel}</button>
      </div>
    </form>
  );
}
