/** Add New Access Token: details, permission sets, Advanced options, grants, limits; then the secret, once. */
import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { api, type ApiError, type Token } from '../api';
import { splitIps } from '../ip';
import { asApiError, useLoad } from '../use-load';
import { inputOf, labelOf, placeApiError, type FormField } from '../create-token-errors';
import { useSignedIn } from '../signed-in';
import { ErrorBanner } from '../components/error-banner';
import { defaultExpiry, expiryOf, ExpiryField, latestExpiry, type ExpiryChoice } from '../components/expiry-field';
import { Field } from '../components/field';
import { IpListInput, ipListProblems } from '../components/ip-list-input';
import { Link } from '../components/link';
import { PermissionTree } from '../components/permission-tree';
import { ResourceGrants } from '../components/resource-grants';
import { ScopeChips } from '../components/scope-chips';
import { SecretOnce } from '../components/secret-once';
import { Switch } from '../components/switch';
import { TemplatePicker } from '../components/template-picker';

type Problems = Partial<Record<FormField, string>>;

export function CreateTokenPage() {
  const [name, setName] = useState('');
  const [chosenId, setChosenId] = useState('');
  const [profileId, setProfileId] = useState('');
  const [description, setDescription] = useState('');
  const [templates, setTemplates] = useState<string[]>([]);
  const [added, setAdded] = useState<string[]>([]);
  const [cleared, setCleared] = useState<string[]>([]);
  const [otherScope, setOtherScope] = useState('');
  const { account, caller } = useSignedIn();
  const [now] = useState(() => Date.now());
  const latest = latestExpiry(caller?.expiresAt, account?.policy.maxLifetimeSeconds, now);
  const [expiryPicked, setExpiry] = useState<ExpiryChoice>();
  // Until the person picks one, the default follows the limits as they load (the caller's expiry arrives after the form).
  const expiry = expiryPicked ?? defaultExpiry(latest, now);
  const callerIps = caller?.allowedIps ?? [];
  const [ipsTyped, setIps] = useState<string>();
  const ips = ipsTyped ?? callerIps.join('\n');
  const [enabled, setEnabled] = useState(true);
  const [advanced, setAdvanced] = useState(false);
  const [pendingGrant, setPendingGrant] = useState<string[]>([]);
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<{ field: FormField | undefined; text: string; error: ApiError }>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ token: Token; secret: string }>();

  const catalog = useLoad(() => api.catalogTree({}), []);
  // A catalog with resource types (IoT-style: type × one resource or all × some actions or all) offers them up front.
  const resources = catalog.data?.resources ?? [];

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

  const onPendingChange = useCallback((scopes: string[]) => setPendingGrant(scopes), []);
  const pendingUnadded = pendingGrant.filter((s) => !selected.has(s));
  const expiryResult = expiryOf(expiry, latest, now);

  /** What is wrong now, checked in the browser; shown once the person has tried to create, and gone once fixed. */
  const problems: Problems = {};
  if (!name.trim()) problems.name = 'Give the token a name, e.g. the system that will use it.';
  if (scopes.length === 0 && pendingUnadded.length === 0) problems.permissions = 'Pick at least one permission: a permission set, a resource permission, or one under Advanced options.';
  if (pendingUnadded.length) problems.grant = `You configured ${pendingUnadded.join(', ')} but did not add it: press "Add permission", or set the form back to all resources and all actions.`;
  if ('problem' in expiryResult) problems.expiry = expiryResult.problem;
  const ipProblems = ipListProblems(ips, callerIps);
  if (ipProblems.length) problems.ips = ipProblems.length === 1 ? ipProblems[0]! : `${ipProblems.length} addresses need fixing.`;
  const shown: Problems = submitted ? { ...problems } : {};
  if (serverError?.field && !shown[serverError.field]) shown[serverError.field] = serverError.text;
  const fieldError = (field: FormField) => shown[field];
  /** A server error stays next to its field until that field changes. */
  const edited = (field: FormField) => {
    if (serverError?.field === field) setServerError(undefined);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setServerError(undefined);
    const first = (Object.keys(inputOf) as FormField[]).find((f) => problems[f]);
    if (first) {
      document.getElementById(inputOf[first])?.focus();
      return;
    }
    if ('problem' in expiryResult) return;
    setBusy(true);
    try {
      // A permission set is recorded only if all its permissions are kept; cleared ones go as plain scopes.
      const keptTemplates = templates.filter((id) => (catalog.data?.templates.find((t) => t.id === id)?.scopes ?? []).every((s) => selected.has(s)));
      const ipList = splitIps(ips);
      const result = await api.createToken({
        ...(chosenId.trim() ? { id: chosenId.trim() } : {}),
        name: name.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(profileId.trim() ? { profileId: profileId.trim() } : {}),
        scopes,
        templates: keptTemplates,
        ...(expiryResult.at ? { expiresAt: expiryResult.at } : {}),
        ...(ipList.length ? { allowedIps: ipList } : {}),
        ...(enabled ? {} : { enabled: false }),
      });
      setCreated(result);
    } catch (err) {
      const apiError = asApiError(err);
      const placed = placeApiError(apiError);
      setServerError({ ...placed, error: apiError });
      if (placed.field) document.getElementById(inputOf[placed.field])?.focus();
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
        <SecretOnce secret={created.secret} title="Your access token" focus />
        <div className="actions">
          <Link to={`/tokens/${encodeURIComponent(created.token.id)}`} className="button button-primary">Done, go to the token</Link>
          <Link to="/tokens" className="button">Back to tokens</Link>
        </div>
      </section>
    );
  }

  const shownFields = (Object.keys(inputOf) as FormField[]).filter((f) => shown[f]);
  return (
    <section>
      <h1>Add New Access Token</h1>
      <p className="muted">Give the token only the permissions its system needs. Permissions cannot be changed once the token is created unless your account allows it.</p>
      {serverError && !serverError.field ? (
        <ErrorBanner error={serverError.error} title="The token was not created." />
      ) : null}
      {/* The one announcement of what to fix: the fields' own messages are tied to them, not announced again. */}
      <div role="alert" className={shownFields.length ? 'banner banner-error' : 'visually-hidden'}>
        {shownFields.length ? (
          <>
            <strong>The token was not created.</strong> Fix {shownFields.length === 1 ? 'this field' : 'these fields'}:{' '}
            {shownFields.map((f, i) => (
              <span key={f}>{i ? ', ' : ''}<a href={`#${inputOf[f]}`} onClick={(e) => { e.preventDefault(); document.getElementById(inputOf[f])?.focus(); }}>{labelOf[f]}</a></span>
            ))}
            .
          </>
        ) : null}
      </div>
      <form onSubmit={(e) => void submit(e)} noValidate className="form">
        <div className="card">
          <h2>Details</h2>
          <div className="grid-2">
            <Field label="Name" htmlFor="token-name" hint="What the token is for, e.g. the system that uses it." error={fieldError('name')}>
              <input id="token-name" value={name} onChange={(e) => { setName(e.target.value); edited('name'); }} required maxLength={200} aria-invalid={fieldError('name') ? true : undefined} aria-describedby={fieldError('name') ? 'token-name-error' : undefined} />
            </Field>
            <Field label="Profile id" htmlFor="token-profile" hint="The identity the token acts as (optional)." error={fieldError('profileId')}>
              <input id="token-profile" value={profileId} onChange={(e) => { setProfileId(e.target.value); edited('profileId'); }} maxLength={200} aria-invalid={fieldError('profileId') ? true : undefined} aria-describedby={fieldError('profileId') ? 'token-profile-error' : undefined} />
            </Field>
            <Field label="Token id (optional)" htmlFor="token-id" hint="Letters, digits and _; generated when empty." error={fieldError('id')}>
              <input id="token-id" value={chosenId} onChange={(e) => { setChosenId(e.target.value); edited('id'); }} maxLength={50} className="mono" aria-invalid={fieldError('id') ? true : undefined} aria-describedby={fieldError('id') ? 'token-id-error' : undefined} />
            </Field>
            <Field label="Description" htmlFor="token-description" error={fieldError('description')}>
              <input id="token-description" value={description} onChange={(e) => { setDescription(e.target.value); edited('description'); }} maxLength={1000} aria-invalid={fieldError('description') ? true : undefined} aria-describedby={fieldError('description') ? 'token-description-error' : undefined} />
            </Field>
          </div>
        </div>

        <div className="card">
          <h2 id="permissions-heading" tabIndex={-1}>Permissions</h2>
          <ErrorBanner error={catalog.error} title="The catalog could not be loaded." />
          <TemplatePicker templates={catalog.data?.templates ?? []} chosen={templates} onChange={(t) => { setTemplates(t); edited('permissions'); }} />
          {resources.length ? <ResourceGrants resources={resources} onAdd={(s) => { addScopes(s); edited('permissions'); }} onPendingChange={onPendingChange} error={fieldError('grant')} /> : null}
          <button type="button" className="button disclosure" aria-expanded={advanced} aria-controls="advanced-options" onClick={() => setAdvanced(!advanced)}>
            {advanced ? '▾' : '▸'} Advanced options
          </button>
          {advanced ? (
            <div id="advanced-options" className="advanced">
              {/* One place to pick from (the tree: its services are the API's scope categories, the messaging API's "General,
                  Channels, …"), and one for what it cannot list: a scope with values, e.g. a tenant id. */}
              <p className="muted small">
                Each service (scope category) with its permissions; those from the chosen permission sets are ticked. Open a
                service and tick or clear single permissions.
              </p>
              <PermissionTree services={services} selected={selected} onToggle={toggle} resources={resources} />
              <div className="field inline-add">
                <label htmlFor="other-scope">Another scope</label>
                <div className="row">
                  <input id="other-scope" className="mono" placeholder="e.g. tenant:acme:notification:write" value={otherScope} onChange={(e) => setOtherScope(e.target.value)} />
                  <button type="button" className="button" disabled={!otherScope.trim()} onClick={() => { toggle(otherScope.trim(), true); setOtherScope(''); }}>Add</button>
                </div>
                <div className="hint">For a scope the tree cannot list: one with values, such as a tenant or a brand id.</div>
              </div>
            </div>
          ) : null}
          <ScopeChips scopes={scopes} onRemove={(s) => toggle(s, false)} error={fieldError('permissions')} />
        </div>

        <div className="card">
          <h2>Limits</h2>
          <div className="grid-2">
            <ExpiryField choice={expiry} onChange={(c) => { setExpiry(c); edited('expiry'); }} latest={latest} now={now} error={fieldError('expiry')} />
            <IpListInput value={ips} onChange={(text) => { setIps(text); edited('ips'); }} within={callerIps}
              serverError={serverError?.field === 'ips' ? serverError.text : undefined} />
          </div>
        </div>

        <div className="card">
          <Switch checked={enabled} onChange={setEnabled} label="Enabled" showLabel />
          <p className="hint">{enabled ? 'The token works as soon as it is created.' : 'The token is created switched off: it is refused until someone enables it.'}</p>
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
