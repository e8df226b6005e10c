// The web console in a real browser (Debian's chromium driven by playwright-core) against the real server.
import { describe, expect, it } from 'vitest';
import { browserSuiteSkipped, consoleSuite, desktop, phone, treeCheckbox } from './browser-fixture.js';

/** Browser globals used inside `page.evaluate` callbacks, which run in the page, not in Node. */
declare const sessionStorage: { getItem(key: string): string | null };
declare const localStorage: { length: number };
declare const navigator: { clipboard: { readText(): Promise<string> } };

// Without chromium the suite skips on a workstation but fails under CI=true: a CI run must never pass by skipping.
describe.skipIf(browserSuiteSkipped('console.browser.test'))('web console in a real browser', { timeout: 90_000 }, () => {
  const s = consoleSuite({ catalog: 'communications.yaml', clipboard: true });

  async function createViaApi(body: Record<string, unknown>) {
    return s.t.createToken({ scopes: ['config:read'], ...body });
  }

  it('serves the console at /console with a redirect and a fallback for its page paths', async () => {
    const redirect = await s.t.request('GET', '/console');
    expect(redirect.status).toBe(200); // fetch followed the 301
    const deep = await s.t.request('GET', '/console/tokens/tok_whatever');
    expect(deep.status).toBe(200);
    expect(deep.text).toContain('<div id="root">');
    const missingAsset = await s.t.request('GET', '/console/assets/nope.js');
    expect(missingAsset.status).toBe(404);
    const spec = await s.t.request('GET', '/openapi.json');
    expect(Object.keys(spec.body.paths).some((p) => p.startsWith('/console'))).toBe(false);
  });

  it('signs in with a token kept for the tab, refuses a bad one, and signs out', async () => {
    s.watch.expected = [401];
    await s.page.goto('/console');
    expect(new URL(s.page.url()).pathname).toBe('/console/');
    await s.page.getByLabel('Access token').fill('tsr_not_a_real_token');
    await s.page.getByRole('button', { name: 'Sign in' }).click();
    await s.page.getByText('This token is not valid').waitFor();
    await s.shot('sign-in-error');

    await s.signIn();
    expect(await s.page.evaluate(() => sessionStorage.getItem('tessera.token'))).toBe(s.t.rootSecret);
    expect(await s.page.evaluate(() => localStorage.length)).toBe(0);
    await s.page.getByRole('button', { name: 'Sign out' }).click();
    await s.page.getByLabel('Access token').waitFor();
    expect(await s.page.evaluate(() => sessionStorage.getItem('tessera.token'))).toBeNull();
  });

  it('creates a token from two permission sets plus one advanced permission, shows the secret once, and copies it', async () => {
    await s.signIn();
    await s.page.getByRole('link', { name: 'Add New Access Token' }).click();
    await s.page.getByLabel('Name', { exact: true }).fill('Billing sender');
    await s.page.getByLabel('Profile id').fill('billing-bot');
    await s.page.getByRole('checkbox', { name: /^One API Access – All Channels Use/ }).check();
    await s.page.getByRole('checkbox', { name: /^Manage profiles and data/ }).check();
    await s.page.getByRole('button', { name: 'Advanced options' }).click();
    // The tree opens pre-filled from the chosen sets; a service without a selection starts collapsed.
    await expect.poll(() => treeCheckbox(s.page, 'ecapi:send').isChecked()).toBe(true);
    await expect.poll(() => treeCheckbox(s.page, 'profiles:manage').isChecked()).toBe(true);
    await s.page.locator('summary', { hasText: 'Platform configuration' }).click();
    await treeCheckbox(s.page, 'config:read').check();
    // An address typed wrong is flagged at once.
    await s.page.getByLabel('Allowed IP addresses (optional)').fill('10.0.0.0/33');
    await s.page.getByText('"/33" is not a prefix length').waitFor();
    await s.page.getByLabel('Allowed IP addresses (optional)').fill('127.0.0.1, ::1');
    await expect.poll(() => s.page.getByText('is not a prefix length').count()).toBe(0);
    await s.shot('create-token-form');
    await s.page.setViewportSize(phone);
    await s.shot('create-token-form-390');
    await s.page.setViewportSize(desktop);

    await s.page.getByRole('button', { name: 'Create', exact: true }).click();
    await s.page.getByRole('heading', { name: 'Token created' }).waitFor();
    await s.page.getByText('It cannot be shown again').waitFor();
    const secretInput = s.page.getByLabel('Token secret');
    expect(await secretInput.getAttribute('type')).toBe('password');
    await s.page.getByRole('button', { name: 'Show token' }).click();
    expect(await secretInput.getAttribute('type')).toBe('text');
    const secret = await secretInput.inputValue();
    expect(secret).toMatch(/^tsr_[A-Za-z0-9]{64}$/);
    await s.page.getByRole('button', { name: 'Copy' }).click();
    await s.page.getByText('Copied to the clipboard.').waitFor();
    expect(await s.page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await s.page.getByRole('button', { name: 'Hide token' }).click();
    await s.shot('token-created-secret-once');
    await s.page.setViewportSize(phone);
    await s.shot('token-created-secret-once-390');
    await s.page.setViewportSize(desktop);

    const verified = await s.t.request('POST', '/v1/verify', { body: { token: secret, scopes: ['config:read'] } });
    expect(verified.body).toMatchObject({ valid: true, code: 'VALID', profileId: 'billing-bot' });
    const page1 = await s.t.request('GET', '/v1/tokens?search=Billing', { token: s.t.rootSecret });
    const created = page1.body.items[0];
    expect(created.templates.sort()).toEqual(['ecapi-all-channels', 'profiles-data']);
    expect(created.scopes.sort()).toEqual(['config:read', 'ecapi:send', 'ecapi:status:read', 'profiles:manage']);
    expect(created.allowedIps).toEqual(['127.0.0.1', '::1']);

    // The secret is not shown again: the token page has only its hint.
    await s.page.getByRole('link', { name: 'Done, go to the token' }).click();
    await s.page.getByRole('heading', { name: /Billing sender/ }).waitFor();
    expect(await s.page.getByLabel('Token secret').count()).toBe(0);
    expect(await s.page.content()).not.toContain(secret);
  });

  it('shows an API error next to its field and keeps what was typed', async () => {
    s.watch.expected = [400];
    await s.signIn();
    await s.page.getByRole('link', { name: 'Add New Access Token' }).click();
    await s.page.getByLabel('Name', { exact: true }).fill('Keeps my input');
    await s.page.getByLabel('Description').fill('typed before the error');
    await s.page.getByRole('button', { name: 'Advanced options' }).click();
    await s.page.getByLabel('Another scope').fill('no:such:scope');
    await s.page.getByRole('button', { name: 'Add', exact: true }).click();
    await s.page.getByRole('button', { name: 'Create', exact: true }).click();
    // Next to the permissions, in words: not the API's field name.
    const error = s.page.locator('.field-error', { hasText: 'no:such:scope' });
    await error.waitFor();
    expect(await error.textContent()).not.toMatch(/^scopes/);
    expect(await s.page.getByLabel('Name', { exact: true }).inputValue()).toBe('Keeps my input');
    expect(await s.page.getByLabel('Description').inputValue()).toBe('typed before the error');
    await s.shot('create-token-field-error');
  });

  it('lists tokens, searches, shows inactive ones on request, and deletes several after one confirmation', async () => {
    const a = await createViaApi({ name: 'Bulk one' });
    const b = await createViaApi({ name: 'Bulk two' });
    const off = await createViaApi({ name: 'Bulk off', enabled: false });
    await s.signIn();
    await s.page.getByLabel('Search tokens by name').fill('Bulk');
    await s.page.getByRole('link', { name: 'Bulk two' }).waitFor();
    expect(await s.page.getByRole('link', { name: 'Bulk off' }).count()).toBe(0);
    await s.page.getByRole('switch', { name: 'Show inactive' }).click();
    await s.page.getByRole('link', { name: 'Bulk off' }).waitFor();
    await s.shot('tokens-list');
    await s.page.setViewportSize(phone);
    await s.shot('tokens-list-390');
    await s.page.setViewportSize(desktop);

    await s.page.getByRole('checkbox', { name: 'Select Bulk one' }).check();
    await s.page.getByRole('checkbox', { name: 'Select Bulk two' }).check();
    await s.page.getByRole('button', { name: 'Delete selected (2)' }).click();
    const dialog = s.page.getByRole('dialog');
    await dialog.getByText('This cannot be undone').waitFor();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await s.page.getByText('Deleted 2 tokens.').waitFor();
    for (const id of [a.id, b.id]) expect((await s.t.request('GET', `/v1/tokens/${id}`, { token: s.t.rootSecret })).status).toBe(404);
    expect((await s.t.request('GET', `/v1/tokens/${off.id}`, { token: s.t.rootSecret })).status).toBe(200);
  });

  it('disables and re-enables a token, rotates it, and revokes it behind "Yes, revoke it!"', async () => {
    const made = await createViaApi({ name: 'Lifecycle' });
    const verify = async (secret: string) => (await s.t.request('POST', '/v1/verify', { body: { token: secret } })).body.code;
    await s.signIn();
    await s.page.goto(`/console/tokens/${made.id}`);
    await s.page.getByRole('heading', { name: /Lifecycle/ }).waitFor();

    const enabled = s.page.getByRole('switch', { name: 'Enabled' });
    await enabled.click();
    await s.page.getByText('The token is disabled').waitFor();
    expect(await verify(made.secret)).toBe('DISABLED');
    expect(await enabled.getAttribute('aria-checked')).toBe('false');
    await enabled.click();
    await s.page.getByText('The token is enabled.').waitFor();
    expect(await verify(made.secret)).toBe('VALID');

    await s.page.getByRole('button', { name: 'Rotate' }).click();
    await s.page.getByRole('dialog').getByRole('button', { name: 'Rotate' }).click();
    await s.page.getByRole('heading', { name: 'The new secret' }).waitFor();
    await s.page.getByRole('button', { name: 'Show token' }).click();
    const rotated = await s.page.getByLabel('Token secret').inputValue();
    expect(rotated).not.toBe(made.secret);
    expect(await verify(rotated)).toBe('VALID');
    expect(await verify(made.secret)).not.toBe('VALID');
    await s.page.getByRole('button', { name: 'Hide token' }).click();
    await s.shot('token-page-rotated');

    await s.page.getByRole('button', { name: 'Revoke' }).click();
    const dialog = s.page.getByRole('dialog');
    await dialog.getByText('Revocation cannot be undone.').waitFor();
    await s.shot('revoke-confirmation');
    await dialog.getByRole('button', { name: 'Yes, revoke it!' }).click();
    await s.page.getByText('The token is revoked.').waitFor();
    expect(await verify(rotated)).toBe('REVOKED');
    expect(await s.page.getByRole('button', { name: 'Revoke' }).isDisabled()).toBe(true);
    await s.page.getByRole('cell', { name: 'token.revoke' }).waitFor();
    await s.shot('token-page-revoked');
    await s.page.setViewportSize(phone);
    await s.shot('token-page-revoked-390');
  });

  it('shows the catalog, and an uploaded catalog’s errors at their entries', async () => {
    s.watch.expected = [400];
    await s.signIn();
    await s.page.getByRole('link', { name: 'Catalog' }).click();
    await s.page.getByText('One API Access – All Channels + Branch').waitFor();
    const bad = 'version: 1\nname: broken\nservices:\n  - id: s\n    name: S\n    groups:\n      - id: g\n        name: G\n        permissions: [nope:undeclared]\nscopes:\n  - { scope: "bad scope!" }\n';
    await s.page.getByLabel('Catalog file').setInputFiles({ name: 'broken.yaml', mimeType: 'text/yaml', buffer: Buffer.from(bad) });
    await s.page.getByText(/issues? in broken\.yaml/).waitFor();
    expect(await s.page.locator('.line-bad').count()).toBeGreaterThan(0);
    await s.shot('catalog-upload-errors');
  });

  it('filters the audit log', async () => {
    const made = await createViaApi({ name: 'Audited' });
    await s.t.request('POST', `/v1/tokens/${made.id}/disable`, { token: s.t.rootSecret });
    await s.signIn();
    await s.page.getByRole('link', { name: 'Audit log' }).click();
    await s.page.getByLabel('Token id').fill(made.id);
    await s.page.getByLabel('Action').selectOption('token.disable');
    await s.page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => s.page.locator('tbody tr').count()).toBe(1);
    await s.page.getByRole('cell', { name: 'token.disable' }).waitFor();
    await s.shot('audit-log-filtered');
  });

  // Runs last: it replaces the catalog with the integration platform's.
  it('turns on token authentication, assigns a secondary endpoint token, hides unassigned ones, and shows its calls', async () => {
    await s.useCatalog('integration.yaml');
    const check = async (secret: string, method: string, path = '/api/endpoints/orders') =>
      (await s.t.request('POST', '/v1/verify', { body: { token: secret, endpoint: { method, path } } })).body.code;
    const revealSecret = async (title: string) => {
      const panel = s.page.locator('.secret-once', { has: s.page.getByRole('heading', { name: title }) });
      await panel.getByRole('button', { name: 'Show token' }).click();
      return panel.getByLabel('Token secret').inputValue();
    };

    await s.signIn();
    await s.page.getByRole('link', { name: 'Endpoints' }).click();
    await s.page.getByRole('link', { name: 'orders', exact: true }).click();
    await s.page.getByRole('heading', { name: 'Endpoint orders' }).waitFor();
    // The catalog declares `auth: token`: the endpoint starts on, its primaries made (and shown once) on request.
    expect(await s.page.getByRole('switch', { name: 'Token authentication' }).getAttribute('aria-checked')).toBe('true');
    await s.page.getByRole('button', { name: 'Generate primary tokens' }).click();
    await s.page.getByRole('heading', { name: 'POST primary token' }).waitFor();
    const postPrimary = await revealSecret('POST primary token');
    await s.page.locator('.secret-once', { has: s.page.getByRole('heading', { name: 'POST primary token' }) }).getByRole('button', { name: 'Copy' }).click();
    expect(await s.page.evaluate(() => navigator.clipboard.readText())).toBe(postPrimary);
    expect(await check(postPrimary, 'POST')).toBe('VALID');
    const oldGet = await revealSecret('GET primary token');
    // Regenerating is confirmed, with an overlap during which the old secret still works (as rotate offers).
    await s.page.getByRole('button', { name: 'Regenerate GET primary token' }).click();
    const regenerate = s.page.getByRole('dialog', { name: 'Regenerate the GET primary token?' });
    await regenerate.getByLabel('The current secret').selectOption({ label: 'Keep it working for 5 minutes' });
    await regenerate.getByRole('button', { name: 'Regenerate' }).click();
    const getPanel = s.page.locator('.secret-once', { has: s.page.getByRole('heading', { name: 'GET primary token' }) });
    await expect.poll(() => getPanel.getByLabel('Token secret').inputValue()).not.toBe(oldGet);
    const getPrimary = await getPanel.getByLabel('Token secret').inputValue();
    expect(await check(getPrimary, 'GET')).toBe('VALID');
    expect(await check(oldGet, 'GET')).toBe('VALID');

    // A primary belongs to its endpoint: the token list leaves it out (kind=standard) until asked to show endpoint
    // tokens, then offers no revoke or delete for it; its page says where it is managed.
    const listQueries: URLSearchParams[] = [];
    s.page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/v1/tokens' && request.method() === 'GET') listQueries.push(url.searchParams);
    });
    await s.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Tokens' }).click();
    const primaryRow = s.page.getByRole('row', { name: /orders POST primary/ });
    await s.page.getByRole('columnheader', { name: 'Permissions' }).waitFor();
    await expect.poll(() => listQueries.map((q) => q.get('kind'))).toEqual(['standard']);
    expect(await s.page.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await primaryRow.count()).toBe(0);
    await s.page.getByRole('switch', { name: 'Show endpoint tokens' }).click();
    await primaryRow.getByText('endpoint primary').waitFor();
    expect(listQueries.at(-1)?.get('kind')).toBe('all');
    expect(await primaryRow.getByRole('button', { name: /Revoke/ }).count()).toBe(0);
    expect(await primaryRow.getByRole('checkbox').count()).toBe(0);
    await primaryRow.getByRole('link', { name: 'orders POST primary' }).click();
    await s.page.getByText('This is a primary token of endpoint').waitFor();
    expect(await s.page.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    await s.page.getByRole('link', { name: 'orders', exact: true }).click();
    await s.page.getByRole('heading', { name: 'Endpoint orders' }).waitFor();

    await s.page.getByRole('link', { name: '← Endpoints' }).click();
    await s.page.getByRole('button', { name: '+ Add' }).click();
    const settings = s.page.getByRole('dialog', { name: 'Token settings' });
    await settings.getByLabel('Name').fill('Shop app');
    await settings.getByLabel('Description').fill('The web shop');
    await settings.getByRole('button', { name: 'Create token' }).click();
    await settings.getByRole('button', { name: 'Show token' }).click();
    const shopSecret = await settings.getByLabel('Token secret').inputValue();
    await settings.getByRole('button', { name: 'Done' }).click();
    expect(await check(shopSecret, 'POST')).not.toBe('VALID');
    const warehouse = await s.t.request('POST', '/v1/endpoint-tokens', { token: s.t.rootSecret, body: { name: 'Warehouse app' } });
    expect(warehouse.status).toBe(201);

    await s.page.getByRole('row', { name: /Shop app/ }).getByRole('button', { name: 'Assign endpoint tokens' }).click();
    const assign = s.page.getByRole('dialog', { name: 'Assign endpoint tokens' });
    await assign.getByRole('checkbox', { name: 'orders POST' }).check();
    await s.shot('assign-endpoint-tokens');
    await assign.getByRole('button', { name: 'Save assignments' }).click();
    await s.page.getByRole('row', { name: /Shop app/ }).getByText('orders POST').waitFor();
    expect(await check(shopSecret, 'POST')).toBe('VALID');
    expect(await check(shopSecret, 'GET')).toBe('INSUFFICIENT_SCOPE');
    await s.shot('endpoint-tokens');

    await s.page.getByRole('link', { name: 'orders', exact: true }).click();
    await s.page.getByRole('link', { name: 'Shop app' }).waitFor();
    expect(await s.page.getByRole('switch', { name: 'Hide unassigned' }).getAttribute('aria-checked')).toBe('true');
    expect(await s.page.getByRole('link', { name: 'Warehouse app' }).count()).toBe(0);
    await s.page.getByRole('switch', { name: 'Hide unassigned' }).click();
    await s.page.getByRole('link', { name: 'Warehouse app' }).waitFor();
    // Switching the secondary off cuts only that integration.
    await s.page.getByRole('switch', { name: 'Enabled: Shop app' }).click();
    await expect.poll(() => s.page.getByRole('switch', { name: 'Enabled: Shop app' }).getAttribute('aria-checked')).toBe('false');
    expect(await check(shopSecret, 'POST')).toBe('DISABLED');
    expect(await check(postPrimary, 'POST')).toBe('VALID');
    await s.shot('endpoint-orders');
    await s.page.setViewportSize(phone);
    await s.shot('endpoint-orders-390');
    await s.page.setViewportSize(desktop);

    // The test clock stands still, so the current usage window never closes by itself: write it out.
    await s.t.tessera.ctx.usage.flush();
    await s.page.getByRole('link', { name: 'Data viewer' }).click();
    await s.page.getByRole('heading', { name: 'Data viewer' }).waitFor();
    await s.page.getByLabel('Token', { exact: true }).selectOption({ label: 'Shop app' });
    await expect.poll(async () => {
      await s.page.getByRole('button', { name: 'Show' }).click();
      return s.page.locator('tbody tr').count();
    }, { timeout: 10_000 }).toBeGreaterThan(0);
    await s.page.getByRole('cell', { name: 'POST /api/endpoints/orders' }).first().waitFor();
    await s.page.getByRole('cell', { name: 'DISABLED' }).first().waitFor();
    await s.shot('data-viewer');
  });
});
