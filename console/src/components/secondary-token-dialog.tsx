/** "Token settings": create a secondary endpoint token (name it after the application); the secret is shown once. */
import { useState, type FormEvent } from 'react';
import { endpointsApi, type ApiError, type EndpointToken } from '../api';
import { asApiError } from '../use-load';
import { ErrorBanner } from './error-banner';
import { Field } from './field';
import { Modal } from './modal';
import { SecretOnce } from './secret-once';

export function SecondaryTokenDialog(props: { open: boolean; onClose: () => void; onCreated: (token: EndpointToken) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string>();

  const close = () => {
    setName('');
    setDescription('');
    setError(undefined);
    setSecret(undefined);
    props.onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const created = await endpointsApi.createSecondary({ name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) });
      setSecret(created.secret);
      setError(undefined);
      props.onCreated(created.token);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (f: string) => (error?.field === f ? error.text : undefined);

  return (
    <Modal open={props.open} title="Token settings" onClose={close}>
      {secret ? (
        <>
          <SecretOnce secret={secret} title="The endpoint token" />
          <div className="actions dialog-actions"><button type="button" className="button button-primary" onClick={close}>Done</button></div>
        </>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate>
          {error && !error.field ? <ErrorBanner error={error} title="The token was not created." /> : null}
          <Field label="Name" htmlFor="secondary-name" hint="Name it after the application that will use it." error={fieldError('name')}>
            <input id="secondary-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} autoFocus />
          </Field>
          <Field label="Description" htmlFor="secondary-description" error={fieldError('description')}>
            <input id="secondary-description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} />
          </Field>
          <div className="actions dialog-actions">
            <button type="button" className="button" onClick={close}>Cancel</button>
            <button type="submit" className="button button-primary" disabled={busy || !name.trim()}>Create token</button>
          </div>
        </form>
      )}
    </Modal>
  );
}
