// The create form (issues 13 and 21): only the expiries and addresses the signed-in token may grant (GET /v1/account's
// caller), the server's refusal next to the field it names, expiry presets,
// errors in words next to their fields and announced once, every bad address named, no configured grant dropped,
// an Enabled switch, and the keyboard moved to the secret after Create.
import { describe, expect, it } from 'vitest';
import { browserSuiteSkipped, consoleSuite } from './browser-fixture.js';

declare const document: { activeElement: { id: string; getAttribute(name: string): string | null } | null };

const day = 86_400_000;

describe.skipIf(browserSuiteSkipped('console-create.browser.test'))('the create form', { timeout: 90_000 }, () => {
  const s = consoleSuite({ catalog: 'communications.yaml' });
  const open = async () => {
    await s.page.getByRole('link', { name: 'Add New Access Token' }).click();
    await s.page.getByRole('heading', { name: 'Add New Access Token' }).waitFor();
  };
  const created = async (name: string) => (await s.t.request('GET', `/v1/tokens?search=${encodeURIComponent(name)}&status=all`, { token: s.t.rootSecret })).body.items[0];
  const focusedLabel = () => s.page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.id ?? '');

  it('offers only the expiries and addresses the signed-in token may grant, and names every bad address', async () => {
    const expiresAt = new Date(Date.now() + 10 * day).toISOString();
    const limited = await s.t.createToken({ name: 'Limited manager', scopes: ['*'], expiresAt, allowedIps: ['127.0.0.1/32', '10.0.0.0/8'] });
    await s.signIn(limited.secret);
    await open();
    const expiry = s.page.getByLabel('Expiration', { exact: true });
    // Its default is the signed-in token's own expiry; presets beyond it are offered but cannot be chosen; never is not offered.
    await expect.poll(() => expiry.inputValue()).toBe('limit');
    expect(await expiry.locator('option[value="7"]').isDisabled()).toBe(false);
    for (const days of ['30', '60', '90']) expect(await expiry.locator(`option[value="${days}"]`).isDisabled()).toBe(true);
    expect(await expiry.locator('option[value="never"]').count()).toBe(0);
    const ips = s.page.getByLabel('Allowed IP addresses');
    expect(await ips.inputValue()).toBe(limited.token.allowedIps.join('\n'));

    await s.page.getByLabel('Name', { exact: true }).fill('Child of limited');
    await s.page.getByRole('checkbox', { name: /^Manage profiles and data/ }).check();
    await ips.fill('192.168.1.1, 999.1.1.1\n10.1.2.3, 10.0.0.0/7');
    const errors = s.page.locator('#token-ips-error li');
    await expect.poll(() => errors.allTextContents()).toEqual([
      `"192.168.1.1" is outside the addresses your token may use (${limited.token.allowedIps.join(', ')})`,
      '"999.1.1.1" is not an IPv4 or IPv6 address',
      `"10.0.0.0/7" is outside the addresses your token may use (${limited.token.allowedIps.join(', ')})`,
    ]);
    await s.shot('create-token-limits');
    await s.page.getByRole('button', { name: 'Create', exact: true }).click();
    expect(await focusedLabel()).toBe('token-ips');
    expect(await created('Child of limited')).toBeUndefined();

    await ips.fill('10.1.2.0/24');
    await s.page.getByRole('button', { name: 'Create', exact: true }).click();
    await s.page.getByRole('heading', { name: 'Token created' }).waitFor();
    const child = await created('Child of limited');
    expect(child.expiresAt).toBe(expiresAt);
    expect(child.allowedIps).toEqual(['10.1.2.0/24']);
  });

  it('reads its limits from GET /v1/account without tokens:read, and shows the server’s 403 next to the field it names', async () => {
    // The token cannot list tokens (the list answers 403) nor read its own record: its limits come from `caller` alone.
    s.watch.expected = [403];
    const expiresAt = new Date(Date.now() + 10 * day).toISOString();
    const limited = await s.t.createToken({ name: 'Creator only', scopes: ['tokens:create', 'catalog:read', 'profiles:manage'], expiresAt, allowedIps: ['127.0.0.1/32', '10.0.0.0/8'] });
    const explains: string[] = [];
    s.page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/v1/explain') explains.push(request.method());
    });
    await s.signIn(limited.secret);
    await open();
    const expiry = s.page.getByLabel('Expiration', { exact: true });
    await expect.poll(() => expiry.inputValue()).toBe('limit');
    for (const days of ['30', '60', '90']) expect(await expiry.locator(`option[value="${days}"]`).isDisabled()).toBe(true);
    expect(await expiry.locator('option[value="never"]').count()).toBe(0);
    const ips = s.page.getByLabel('Allowed IP addresses');
    expect(await ips.inputValue()).toBe(limited.token.allowedIps.join('\n'));
    expect(explains).toEqual([]);

    // Meanwhile its limits narrow (the root token edits it): the form's view is stale, the server has the last word.
    const narrowed = await s.t.request('PATCH', `/v1/tokens/${limited.id}`, {
      token: s.t.rootSecret, body: { expiresAt: new Date(Date.now() + 5 * day).toISOString(), allowedIps: ['127.0.0.1/32'] },
    });
    expect(narrowed.status).toBe(200);
    await s.page.getByLabel('Name', { exact: true }).fill('Child of narrowed');
    await s.page.getByRole('checkbox', { name: /^Manage profiles and data/ }).check();
    await expiry.selectOption('custom');
    const date = new Date(Date.now() + 3 * day);
    await s.page.getByLabel('Expiration date').fill(`${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`);
    await s.page.getByRole('button', { name: 'Create', exact: true }).click();
    const ipsError = s.page.locator('#token-ips-error li');
    await expect.poll(() => ipsError.allTextContents()).toEqual([`10.0.0.0/8 is outside ${narrowed.body.allowedIps.join(', ')}: a token can only grant the addresses it may be used from.`]);
    expect(await s.page.getByRole('alert').textContent()).toMatch(/Fix this field: Allowed IP addresses/);
    expect(await focusedLabel()).toBe('token-ips');

    await ips.fill('127.0.0.1/32');
    await expect.poll(() => ipsError.count()).toBe(0);
    await expiry.selectOption('limit');
    await s.page.getByRole('button', { name: 'Create', exact: true }).click();
    const expiryError = s.page.locator('#token-expiry-error');
    await expiryError.waitFor();
    // The server's limit, said as a date in the person's locale rather than as an ISO timestamp.
    expect(await expiryError.textContent()).toMatch(/^Must be at or before \w{3} \d{1,2}, \d{4}, .+: a token can only grant the lifetime it has/);
    expect(await expiryError.textContent()).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(await focusedLabel()).toBe('token-expiry');
    expect(await created('Child of narrowed')).toBeUndefined();
    await s.shot('create-token-server-refused-expiry');

    await expiry.selectOption('custom');
    await s.page.getByLabel('Expiration date').fill(`${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`);
    await s.page.getByRole('button', { name: 'Create', exact: true }).click();
    await s.page.getByRole('heading', { name: 'Token created' }).waitFor();
    expect((await created('Child of narrowed')).allowedIps).toEqual(narrowed.body.allowedIps);
    expect(explains).toEqual([]);
  });

  it('offers 7/30/60/90 days, custom and "no expiration" with a warning, creates disabled, and focuses the secret', async () => {
    await s.signIn();
    await open();
    const expiry = s.page.getByLabel('Expiration', { exact: true });
    expect(await expiry.inputValue()).toBe('30');
    expect(await expiry.locator('option').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^7 days/), expect.stringMatching(/^90 days/), 'Custom…', 'No expiration']));
    await expiry.selectOption('never');
    await s.page.getByText('A token without an expiration date works until it is revoked.').waitFor();
    await expiry.selectOption('custom');
    const date = new Date(Date.now() + 45 * day);
    const isoDay = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
    await s.page.getByLabel('Expiration date').fill(isoDay);
    await s.page.getByLabel('Name', { exact: true }).fill('Made switched off');
    await s.page.getByRole('checkbox', { name: /^Manage profiles and data/ }).check();
    const enabled = s.page.getByRole('switch', { name: 'Enabled' });
    expect(await enabled.getAttribute('aria-checked')).toBe('true');
    await enabled.click();
    expect(await enabled.getAttribute('aria-checked')).toBe('false');
    await s.shot('create-token-expiry-enabled');
    await s.page.getByRole('button', { name: 'Create', exact: true }).click();
    await s.page.getByRole('heading', { name: 'Token created' }).waitFor();
    // The keyboard (and a screen reader) lands on the secret, not on <body>.
    expect(await focusedLabel()).toBe('Token secret');
    const secret = await s.page.getByLabel('Token secret').inputValue();
    expect((await s.t.request('POST', '/v1/verify', { body: { token: secret } })).body.code).toBe('DISABLED');
    const made = await created('Made switched off');
    expect(made.enabled).toBe(false);
    expect(new Date(made.expiresAt).toDateString()).toBe(date.toDateString());
  });

  it('says what to fix in words next to each field, announced once, and clears an error once fixed', async () => {
    s.watch.expected = [409];
    const taken = await s.t.createToken({ id: 'taken_id', name: 'Taken', scopes: ['config:read'] });
    await s.signIn();
    await open();
    await s.page.getByRole('button', { name: 'Create', exact: true }).click();
    const alert = s.page.getByRole('alert');
    await alert.getByText('The token was not created.').waitFor();
    expect(await alert.count()).toBe(1);
    expect(await alert.textContent()).toMatch(/Fix these fields: Name, Permissions/);
    expect(await focusedLabel()).toBe('token-name');
    await s.page.getByText('Give the token a name').waitFor();
    const permissionsError = s.page.getByText('Pick at least one permission');
    await permissionsError.waitFor();
    expect(await s.page.getByText(/scopes:|expiresAt|allowedIps/).count()).toBe(0);
    await s.shot('create-token-errors');

    await s.page.getByRole('checkbox', { name: /^Manage profiles and data/ }).check();
    await expect.poll(() => permissionsError.count()).toBe(0);
    await s.page.getByLabel('Name', { exact: true }).fill('Second taken');
    await s.page.getByLabel('Token id (optional)').fill(taken.id);
    await s.page.getByRole('button', { name: 'Create', exact: true }).click();
    await s.page.getByText('Another token already has this id').waitFor();
    expect(await s.page.locator('#token-id-error').textContent()).toMatch(/^Another token already has this id/);
    expect(await focusedLabel()).toBe('token-id');
    await s.page.getByLabel('Token id (optional)').fill('free_id');
    expect(await s.page.locator('#token-id-error').count()).toBe(0);
    await s.page.getByRole('button', { name: 'Create', exact: true }).click();
    await s.page.getByRole('heading', { name: 'Token created' }).waitFor();
  });

  it('does not drop a configured resource grant that was not added', async () => {
    await s.useCatalog('iot.yaml');
    await s.signIn();
    await open();
    await s.page.getByLabel('Name', { exact: true }).fill('Grant not added');
    const grants = s.page.getByRole('group', { name: 'Add a resource permission' });
    await grants.getByLabel('Permission type').selectOption({ label: 'Device' });
    await grants.getByRole('radio', { name: 'One device' }).check();
    await grants.getByLabel('Device id').fill('thermo-9');
    await grants.getByRole('radio', { name: 'Some actions' }).check();
    await grants.getByRole('checkbox', { name: /^GetDeviceStats/ }).check();
    await s.page.getByRole('button', { name: 'Create', exact: true }).click();
    await grants.getByText('You configured device:thermo-9:GetDeviceStats but did not add it').waitFor();
    expect(await focusedLabel()).toBe('grant-add');
    expect(await created('Grant not added')).toBeUndefined();
    await s.shot('create-token-grant-not-added');
    await grants.getByRole('button', { name: 'Add permission' }).click();
    await s.page.getByRole('button', { name: 'Create', exact: true }).click();
    await s.page.getByRole('heading', { name: 'Token created' }).waitFor();
    expect((await created('Grant not added')).scopes).toEqual(['device:thermo-9:GetDeviceStats']);
  });
});
