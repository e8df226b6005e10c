/** Add New Access Token: details, permission sets, Advanced options, grants, limits; then the secret, once. */
import { useMemo, useState, type FormEvent } from 'react';
import { api, ApiError, type Token } from '../api';
import { ipProblem, splitIps } from '../ip';
import { asApiError, useLoad } from '../use-load';
import { useResourceTypes } from '../use-resource-types';
import { describeGrant } from '../catalog-resources';
import { ErrorBanner } from '../components/error-banner';
import { Field } from '../components/field';
import { IpListInput } from '../components/ip-list-input';
import { Link } from '../components/link';
import { PermissionTree } from '../components/permission-tree';
import { ResourceGrants } from '../components/resource-grants';
import { ScopeCategories } from '../components/scope-categories';
import { ScopeChips } from '../components/scope-chips';
import { SecretOnce } from '../components/secret-once';
import { TemplatePicker } from '../components/template-picker';

export function CreateTokenPage() {
  const [name, setName] = useState('');
  const [chosenId, setChosenId] = useState('');
  const [profileId, setProfileId] = useState('');
  const [description, setDescription] = useState('');
  const [templates, setTemplates] = useState<string[]>([]);
  const [added, setAdded] = useState<string[]>([]);
  const [cleared, setCleared] = useState<string[]>([]);
  const [otherScope, setOtherScope] = useState('');
  const [expires, setExpires] = useState('');
  const [ips, setIps] = useState('');
  const [advanced, setAdvanced] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ token: Token; secret: string }>();

  const catalog = useLoad(() => api.catalogTree({}), []);
  // A catalog with resource types (IoT-style: type × one resource or all × some actions or all) offers them up front.
  const resources = useResourceTypes();

  const templateScopes = useMemo(() => {
    const all = catalog.data?.templates ?? [];
    return new Set(templates.flatMap((id) => all.find((t) => t.id === id)?.scopes ?? []));
  }, [catalog.data, templates]);

  const scopes = useMemo(() => {
    const set = new Set([...templateScopes, ...added]);
    for (const s of cleared) set.delete(s);
    return [...set];
  }, [templateScopes, added, cleared]);
  const selected = useMemo(() => new Set(scopes), [scopes]);
  const scopesKey = scopes.join(' ');
  // The tree marks what the selection implies (includes, wildcards): ask the server, which owns those rules.
  const tree = useLoad(() => (advanced ? api.catalogTree({ scopes }) : Promise.resolve(undefined)), [advanced, scopesKey]);
  const services = tree.data?.services ?? catalog.data?.services ?? [];

  const toggle = (scope: string, on: boolean) => {
    if (on) {
      setCleared((c) => c.filter((s) => s !== scope));
      if (!templateScopes.has(scope)) setAdded((a) => (a.includes(scope) ? a : [...a, scope]));
    } else {
      setAdded((a) => a.filter((s) => s !== scope));
      if (templateScopes.has(scope)) setCleared((c) => (c.includes(scope) ? c : [...c, scope]));
    }
  };
  const addScopes = (list: string[]) => list.forEach((s) => toggle(s, true));

  const fieldError = (...prefixes: string[]) =>
    error?.field && prefixes.some((p) => error.field === p || error.field!.startsWith(`${p}[`) || error.field!.startsWith(`${p}.`)) ? error.text : undefined;
  const knownField = fieldError('name', 'id', 'profileId', 'description', 'scopes', 'templates', 'expiresAt', 'allowedIps');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ipList = splitIps(ips);
    if (!name.trim()) {
      setError(new ApiError(400, 'BAD_REQUEST', 'name: give the token a name', 'name', undefined));
      document.getElementById('token-name')?.focus();
      return;
    }
    if (ipList.some((ip) => ipProblem(ip))) {
      document.getElementById('token-ips')?.focus();
      return;
    }
    setBusy(true);
    try {
      // A permission set is recorded only if all its permissions are kept; cleared ones go as plain scopes.
      const keptTemplates = templates.filter((id) => (catalog.data?.templates.find((t) => t.id === id)?.scopes ?? []).every((s) => selected.has(s)));
      const result = await api.createToken({
        ...(chosenId.trim() ? { id: chosenId.trim() } : {}),
        name: name.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(profileId.trim() ? { profileId: profileId.trim() } : {}),
        scopes,
        templates: keptTemplates,
        ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
        ...(ipList.length ? { allowedIps: ipList } : {}),
      });
      setCreated(result);
      setError(undefined);
    } catch (err) {
      setError(asApiError(err));
      window.scrollTo(0, 0);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <section>
        <h1>Token created</h1>
        <p>
          <strong>{created.token.name}</strong> <span className="mono small muted">{created.token.id}</span>
        </p>
        <SecretOnce secret={created.secret} title="Your access token" />
        <div className="actions">
          <Link to={`/tokens/${encodeURIComponent(created.token.id)}`} className="button button-primary">Done, go to the token</Link>
          <Link to="/tokens" className="button">Back to tokens</Link>
        </div>
      </section>
    );
  }

  const today = new Date().toISOString().slice(0, 10);
  return (
    <section>
      <h1>Add New Access Token</h1>
      <p className="muted">Give the token only the permissions its system needs. Permissions cannot be changed once the token is created unless your account allows it.</p>
      {error && !knownField ? <ErrorBanner error={error} title="The token was not created." /> : null}
      {error && knownField ? <p className="banner banner-error" role="alert"><strong>The token was not created.</strong> Fix the field marked below.</p> : null}
      <form onSubmit={(e) => void submit(e)} noValidate className="form">
        <div className="card">
          <h2>Details</h2>
          <div className="grid-2">
            <Field label="Name" htmlFor="token-name" hint="What the token is for, e.g. the system that uses it." error={fieldError('name')}>
              <input id="token-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} aria-invalid={fieldError('name') ? true : undefined} aria-describedby={fieldError('name') ? 'token-name-error' : undefined} />
            </Field>
            <Field label="Profile id" htmlFor="token-profile" hint="The identity the token acts as (optional)." error={fieldError('profileId')}>
              <input id="token-profile" value={profileId} onChange={(e) => setProfileId(e.target.value)} maxLength={200} />
            </Field>
            <Field label="Token id (optional)" htmlFor="token-id" hint="Letters, digits and _; generated when empty." error={fieldError('id')}>
              <input id="token-id" value={chosenId} onChange={(e) => setChosenId(e.target.value)} maxLength={50} className="mono" />
            </Field>
            <Field label="Description" htmlFor="token-description" error={fieldError('description')}>
              <input id="token-description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} />
            </Field>
          </div>
        </div>

        <div className="card">
          <h2>Permissions</h2>
          <ErrorBanner error={catalog.error} title="The catalog could not be loaded." />
          <TemplatePicker templates={catalog.data?.templates ?? []} chosen={templates} onChange={setTemplates} error={fieldError('templates')} />
          {resources.length ? <ResourceGrants resources={resources} onAdd={addScopes} /> : null}
          <button type="button" className="button disclosure" aria-expanded={advanced} aria-controls="advanced-options" onClick={() => setAdvanced(!advanced)}>
            {advanced ? '▾' : '▸'} Advanced options
          </button>
          {advanced ? (
            <div id="advanced-options" className="advanced">
              <p className="muted small">Each service with its permissions; those from the chosen permission sets are ticked. Tick or clear single permissions.</p>
              <PermissionTree services={services} selected={selected} onToggle={toggle} describe={(s) => describeGrant(resources, s)} />
              <ScopeCategories services={services} selected={selected} onAdd={(s) => toggle(s, true)} />
              <div className="field inline-add">
                <label htmlFor="other-scope">Another scope</label>
                <div className="row">
                  <input id="other-scope" className="mono" placeholder="e.g. tenant:acme:notification:write" value={otherScope} onChange={(e) => setOtherScope(e.target.value)} />
                  <button type="button" className="button" disabled={!otherScope.trim()} onClick={() => { toggle(otherScope.trim(), true); setOtherScope(''); }}>Add</button>
                </div>
              </div>
            </div>
          ) : null}
          <ScopeChips scopes={scopes} onRemove={(s) => toggle(s, false)} error={fieldError('scopes')} />
        </div>

        <div className="card">
          <h2>Limits</h2>
          <div className="grid-2">
            <Field label="Expiration date (optional)" htmlFor="token-expires" hint="The token stops working at the end of this day." error={fieldError('expiresAt')}>
              <input id="token-expires" type="date" min={today} value={expires} onChange={(e) => setExpires(e.target.value)} />
            </Field>
            <IpListInput value={ips} onChange={setIps} serverError={fieldError('allowedIps')} />
          </div>
        </div>

        <div className="actions sticky-actions">
          <Link to="/tokens" className="button">Cancel</Link>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create'}
          </button>
        </div>
      </form>
    </section>
  );
}
