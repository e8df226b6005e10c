// Lists and token pages as a first week would use them (issue 21): revoke from a list row, a permissions column,
// search by id, permission set and token names instead of ids, audit targets as links, rotate with an overlap.
import { describe, expect, it } from 'vitest';
import { browserSuiteSkipped, consoleSuite } from './browser-fixture.js';

describe.skipIf(browserSuiteSkipped('console-lists.browser.test'))('token lists and pages', { timeout: 90_000 }, () => {
  const s = consoleSuite({ catalog: 'communications.yaml' });
  const code = async (secret: string) => (await s.t.request('POST', '/v1/verify', { body: { token: secret } })).body.code;

  it('revokes from a list row behind "Yes, revoke it!", shows permissions, and finds a token by its id', async () => {
    const row = await s.t.createToken({ name: 'Row revoke', scopes: ['config:read', 'profiles:manage', 'ecapi:send', 'ecapi:status:read'] });
    const byId = await s.t.createToken({ id: 'found_by_id_7', name: 'Nameless match', scopes: ['config:read'] });
    await s.signIn();
    const line = s.page.getByRole('row', { name: /Row revoke/ });
    await line.getByText('+1 more').waitFor();
    expect(await line.locator('.scope-summary code').allTextContents()).toEqual(['config:read', 'profiles:manage', 'ecapi:send']);
    await s.shot('tokens-list');

    await line.getByRole('button', { name: 'Revoke Row revoke' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Revoke Row revoke?' });
    await dialog.getByText('Revocation cannot be undone.').waitFor();
    await s.shot('tokens-list-revoke-row');
    await dialog.getByRole('button', { name: 'Yes, revoke it!' }).click();
    await s.page.getByText('Row revoke is revoked.').waitFor();
    expect(await code(row.secret)).toBe('REVOKED');
    await expect.poll(() => s.page.getByRole('link', { name: 'Row revoke' }).count()).toBe(0);

    // The API's search finds an exact id: the console asks it alone, never GET /v1/tokens/{id} on a guess.
    const asked: string[] = [];
    s.page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/v1/tokens')) asked.push(url.pathname + url.search);
    });
    await s.page.getByLabel('Search tokens by name or id').fill(byId.id);
    await s.page.getByRole('link', { name: 'Nameless match' }).waitFor();
    await expect.poll(() => s.page.locator('tbody tr').count()).toBe(1);
    expect(asked).toEqual([`/v1/tokens?status=active&kind=standard&search=${byId.id}&limit=50`]);
    await s.shot('tokens-list-found-by-id');
  });

  it('names permission sets and the creating token, and links audit actors and targets to their tokens', async () => {
    const creator = await s.t.createToken({ name: 'Creator bot', scopes: ['*'] });
    const child = await s.t.createToken({ name: 'Made by a bot', scopes: ['profiles:manage'], templates: ['profiles-data'] }, creator.secret);
    expect(child.token.createdBy).toBe(creator.id);
    await s.t.request('POST', `/v1/tokens/${child.id}/disable`, { token: creator.secret });
    await s.signIn();
    await s.page.goto(`/console/tokens/${child.id}`);
    await s.page.getByRole('heading', { name: /Made by a bot/ }).waitFor();
    const details = s.page.locator('dl.details');
    await details.getByText('Manage profiles and data').waitFor();
    expect(await details.getByText('profiles-data').count()).toBe(0);
    await details.getByRole('link', { name: 'Creator bot' }).waitFor();
    // A revoked or disabled token's switch name does not flip: one control named "Enabled", off.
    expect(await s.page.getByRole('switch', { name: 'Enabled' }).getAttribute('aria-checked')).toBe('false');
    await s.shot('token-page');

    await s.page.getByRole('link', { name: 'Audit log' }).click();
    const event = s.page.getByRole('row', { name: /token\.disable/ }).first();
    await event.getByRole('link', { name: 'Creator bot' }).waitFor();
    await s.shot('audit-log');
    await event.getByRole('link', { name: 'Made by a bot' }).click();
    await s.page.getByRole('heading', { name: /Made by a bot/ }).waitFor();
  });

  it('rotates with an overlap: the old secret keeps working for the chosen time', async () => {
    const made = await s.t.createToken({ name: 'Rolled key', scopes: ['config:read'] });
    await s.signIn();
    await s.page.goto(`/console/tokens/${made.id}`);
    await s.page.getByRole('button', { name: 'Rotate' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Rotate Rolled key?' });
    await dialog.getByLabel('The current secret').selectOption({ label: 'Keep it working for 1 hour' });
    await s.shot('rotate-overlap');
    await dialog.getByRole('button', { name: 'Rotate' }).click();
    await s.page.getByText('The old one keeps working for 1 hour.').waitFor();
    await s.page.getByRole('button', { name: 'Show token' }).click();
    const rotated = await s.page.getByLabel('Token secret').inputValue();
    expect(await code(rotated)).toBe('VALID');
    expect(await code(made.secret)).toBe('VALID');
    s.t.clock.advance(3601);
    expect(await code(made.secret)).not.toBe('VALID');
    expect(await code(rotated)).toBe('VALID');
  });

  it('shows a token’s identity and rate limits on its page', async () => {
    const identity = await s.t.request('POST', '/v1/identities', { token: s.t.rootSecret, body: { externalId: 'customer-7' } });
    const made = await s.t.createToken({
      name: 'Metered key', scopes: ['config:read'], identityId: identity.body.id,
      limits: [{ name: 'per-minute', limit: 100, duration: '1m' }, { name: 'burst', limit: 5, duration: 10 }],
    });
    await s.signIn();
    await s.page.goto(`/console/tokens/${made.id}`);
    await s.page.getByRole('heading', { name: /Metered key/ }).waitFor();
    const details = s.page.locator('dl.details');
    await details.getByText(identity.body.id).waitFor();
    await details.getByText('per-minute: 100 per minute, burst: 5 per 10 seconds').waitFor();
    await s.shot('token-page-limits');

    // Six checks against a burst of five: the sixth is refused, and its own small chart shows it.
    for (let i = 0; i < 6; i++) await s.t.request('POST', '/v1/verify', { body: { token: made.secret } });
    await s.t.tessera.ctx.usage.flush();
    await s.page.reload();
    const refusals = s.page.locator('.card', { has: s.page.getByRole('heading', { name: 'Refused by limits' }) });
    // Counted under the limit that refused it (its own burst), not only as RATE_LIMITED.
    await refusals.getByText('token:burst: 1', { exact: true }).waitFor();
    expect(await refusals.getByText('VALID: 5').count()).toBe(0);
    await s.shot('token-page-refusals');

    // The identity's link leads to its page, which lists its tokens.
    await details.getByRole('link', { name: identity.body.id }).click();
    await s.page.getByRole('heading', { name: /customer-7/ }).waitFor();
    await s.page.getByRole('link', { name: 'Metered key' }).waitFor();
  });

  it('creates an identity with shared limits, names a bad field, edits and deletes it', async () => {
    s.watch.expected = [400];
    await s.signIn();
    await s.page.getByRole('link', { name: 'Identities' }).click();
    await s.page.getByRole('heading', { name: 'Identities' }).waitFor();
    await s.page.getByRole('button', { name: 'New identity' }).click();
    const form = s.page.getByRole('form', { name: 'New identity' });
    await form.getByLabel('External id').fill('acme-corp');
    await form.getByLabel('Name').fill('Acme Corp');
    await form.getByLabel('Metadata (JSON)').fill('{"plan": ');
    await form.getByRole('button', { name: 'Add a limit' }).click();
    await form.getByLabel('Name', { exact: true }).nth(1).fill('per-day');
    await form.getByLabel('Limit', { exact: true }).fill('10000');
    await form.getByLabel('per', { exact: true }).fill('forever');
    await form.getByRole('button', { name: 'Create identity' }).click();
    await form.getByText('metadata: must be a JSON object').waitFor();
    await form.getByLabel('Metadata (JSON)').fill('{"plan": "pro"}');
    await form.getByRole('button', { name: 'Create identity' }).click();
    // The server names the row and the field it cannot read; nothing is created.
    await form.getByText(/limits\[0\]\.duration/).waitFor();
    expect((await s.t.request('GET', '/v1/identities?externalId=acme-corp', { token: s.t.rootSecret })).body.items).toEqual([]);
    await s.shot('identity-new-error');
    await form.getByLabel('per', { exact: true }).fill('1 day');
    await form.getByRole('button', { name: 'Create identity' }).click();
    await s.page.getByRole('heading', { name: /acme-corp/ }).waitFor();
    const details = s.page.locator('dl.details');
    await details.getByText('per-day: 10000 per day').waitFor();
    await details.getByText('{"plan":"pro"}').waitFor();
    const stored = (await s.t.request('GET', '/v1/identities?externalId=acme-corp', { token: s.t.rootSecret })).body.items[0];
    expect(stored).toMatchObject({ name: 'Acme Corp', metadata: { plan: 'pro' }, limits: [{ name: 'per-day', limit: 10000, duration: 86400 }] });
    await s.shot('identity-page');

    // Credits shared by its tokens: set where there are none, then added to (each change audited).
    await s.page.getByLabel('Starting credits').fill('500');
    await s.page.getByRole('button', { name: 'Set credits' }).click();
    await s.page.getByText('Credits saved: 500 left.').waitFor();
    await s.page.getByLabel('Credits to add').fill('25');
    await s.page.getByRole('button', { name: 'Add credits' }).click();
    await s.page.getByText('Credits saved: 525 left.').waitFor();
    expect((await s.t.request('GET', `/v1/identities/${stored.id}`, { token: s.t.rootSecret })).body.credits).toMatchObject({ remaining: 525 });
    const creditAudit = await s.t.request('GET', '/v1/audit?action=identity.credits', { token: s.t.rootSecret });
    expect(creditAudit.body.items.filter((e: { targetId: string }) => e.targetId === stored.id)).toHaveLength(2);

    await s.page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = s.page.getByRole('form', { name: 'Edit identity' });
    await edit.getByRole('button', { name: 'Remove limit per-day' }).click();
    await edit.getByLabel('Name').fill('Acme');
    await edit.getByRole('button', { name: 'Save' }).click();
    await s.page.getByText('The identity is saved.').waitFor();
    expect((await s.t.request('GET', `/v1/identities/${stored.id}`, { token: s.t.rootSecret })).body).toMatchObject({ name: 'Acme', limits: [] });

    await s.page.getByRole('button', { name: 'Delete' }).click();
    await s.page.getByRole('dialog', { name: 'Delete acme-corp?' }).getByRole('button', { name: 'Delete it' }).click();
    await s.page.getByRole('heading', { name: 'Identities' }).waitFor();
    expect((await s.t.request('GET', `/v1/identities/${stored.id}`, { token: s.t.rootSecret })).status).toBe(404);
  });

  it('shows a token’s credits on its page and lets an operator add credits (audited)', async () => {
    const made = await s.t.createToken({ name: 'Prepaid key', scopes: ['config:read'], credits: { remaining: 120, refill: { amount: 1000, interval: '1d' } } });
    await s.signIn();
    await s.page.goto(`/console/tokens/${made.id}`);
    await s.page.getByRole('heading', { name: /Prepaid key/ }).waitFor();
    const details = s.page.locator('dl.details');
    await details.getByText('120 left, refilled to 1000 every day').waitFor();
    await s.page.getByLabel('Credits to add').fill('30');
    await s.page.getByRole('button', { name: 'Add credits' }).click();
    await s.page.getByText('Credits saved: 150 left.').waitFor();
    await details.getByText('150 left, refilled to 1000 every day').waitFor();
    const stored = await s.t.request('GET', `/v1/tokens/${made.id}`, { token: s.t.rootSecret });
    expect(stored.body.credits).toEqual({ remaining: 150, refill: { amount: 1000, interval: 86_400 }, strict: false });
    const audit = await s.t.request('GET', `/v1/audit?tokenId=${made.id}&action=token.credits`, { token: s.t.rootSecret });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['token.credits']);
    await s.shot('token-page-credits');
  });

  // Runs last: it replaces the catalog with the integration platform's for an endpoint token.
  it('shows no Enabled switch on a revoked token, on its page or among endpoint tokens (its record says enabled: false)', async () => {
    const made = await s.t.createToken({ name: 'Gone for good', scopes: ['config:read'] });
    const revoked = await s.t.request('POST', `/v1/tokens/${made.id}/revoke`, { token: s.t.rootSecret });
    expect(revoked.body.token).toMatchObject({ status: 'revoked', enabled: false });
    await s.signIn();
    await s.page.goto(`/console/tokens/${made.id}`);
    await s.page.getByRole('heading', { name: /Gone for good/ }).waitFor();
    await s.page.getByText('Revoked', { exact: true }).first().waitFor();
    expect(await s.page.getByRole('switch').count()).toBe(0);

    await s.useCatalog('integration.yaml');
    const kept = await s.t.request('POST', '/v1/endpoint-tokens', { token: s.t.rootSecret, body: { name: 'Kept app' } });
    const old = await s.t.request('POST', '/v1/endpoint-tokens', { token: s.t.rootSecret, body: { name: 'Old warehouse' } });
    expect([kept.status, old.status]).toEqual([201, 201]);
    expect((await s.t.request('POST', `/v1/tokens/${old.body.token.token.id}/revoke`, { token: s.t.rootSecret })).body.token.enabled).toBe(false);
    await s.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Endpoints' }).click();
    await s.page.getByRole('switch', { name: 'Enabled: Kept app' }).waitFor();
    await s.page.getByRole('switch', { name: 'Show inactive' }).click();
    const row = s.page.getByRole('row', { name: /Old warehouse/ });
    await row.getByText('Revoked', { exact: true }).waitFor();
    expect(await row.getByRole('switch').count()).toBe(0);
    expect(await row.getByRole('button', { name: 'Activate' }).count()).toBe(0);
  });
});
