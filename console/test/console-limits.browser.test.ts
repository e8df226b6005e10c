// Usage control in the console (issue 19): a token's rate limits edited on its page, the server's refusals beside them.
import { describe, expect, it } from 'vitest';
import { browserSuiteSkipped, consoleSuite } from './browser-fixture.js';

describe.skipIf(browserSuiteSkipped('console-limits.browser.test'))('rate limits in the console', { timeout: 90_000 }, () => {
  const s = consoleSuite({ catalog: 'communications.yaml' });
  const tokenOf = async (id: string) => (await s.t.request('GET', `/v1/tokens/${id}`, { token: s.t.rootSecret })).body;

  it('edits a token’s rate limits on its page, naming a bad row, and the API returns the saved ones', async () => {
    s.watch.expected = [400];
    const made = await s.t.createToken({ name: 'Limited key', scopes: ['config:read'], limits: [{ name: 'per-minute', limit: 100, duration: 60 }] });
    await s.signIn();
    await s.page.goto(`/console/tokens/${made.id}`);
    const card = s.page.locator('.card', { has: s.page.getByRole('heading', { name: 'Rate limits', exact: true }) });
    const save = card.getByRole('button', { name: 'Save rate limits', exact: true });
    expect(await save.isDisabled()).toBe(true);
    // The saved window comes back as the console says it, which the server reads again as it is.
    expect(await card.locator('#token-limit-0-duration').inputValue()).toBe('1 minute');
    await card.locator('#token-limit-0-limit').fill('50');
    await card.getByRole('button', { name: 'Add a limit', exact: true }).click();
    await card.locator('#token-limit-1-name').fill('per-day');
    await card.locator('#token-limit-1-limit').fill('1000');
    await card.locator('#token-limit-1-duration').fill('forever');
    await save.click();
    // The server names the row and field it cannot read; the error stands beside that row and nothing is saved.
    await card.locator('.limit-row').nth(1).locator('.field-error').getByText(/limits\[1\]\.duration/).waitFor();
    expect((await tokenOf(made.id)).limits).toEqual([{ name: 'per-minute', limit: 100, duration: 60 }]);
    await s.shot('token-limits-error');

    await card.locator('#token-limit-1-duration').fill('1 day');
    await save.click();
    await s.page.getByText('Rate limits saved.', { exact: true }).waitFor();
    expect((await tokenOf(made.id)).limits).toEqual([{ name: 'per-minute', limit: 50, duration: 60 }, { name: 'per-day', limit: 1000, duration: 86400 }]);
    await s.page.locator('dl.details').getByText('per-minute: 50 per minute, per-day: 1000 per day', { exact: true }).waitFor();
    // The editor starts again from what was saved, the server's "1 day" as the console says it.
    expect(await card.locator('#token-limit-1-duration').inputValue()).toBe('1 day');
    expect(await save.isDisabled()).toBe(true);
    await s.shot('token-limits-saved');

    // Removing every limit is a save too: the token's checks are no longer counted by its own limits.
    await card.getByRole('button', { name: 'Remove limit per-minute', exact: true }).click();
    await card.getByRole('button', { name: 'Remove limit per-day', exact: true }).click();
    await save.click();
    await s.page.locator('dl.details').getByText('none', { exact: true }).first().waitFor();
    await expect.poll(async () => (await tokenOf(made.id)).limits).toEqual([]);
  });

  it('shows the server’s refusal beside the limits when a token edits its own', async () => {
    s.watch.expected = [403];
    await s.signIn();
    await s.page.goto(`/console/tokens/${s.t.rootId}`);
    const card = s.page.locator('.card', { has: s.page.getByRole('heading', { name: 'Rate limits', exact: true }) });
    await card.getByText('This is the token you are signed in with: another token must change its limits.', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Add a limit', exact: true }).click();
    await card.locator('#token-limit-0-name').fill('per-second');
    await card.locator('#token-limit-0-limit').fill('1');
    await card.locator('#token-limit-0-duration').fill('1');
    await card.getByRole('button', { name: 'Save rate limits', exact: true }).click();
    await card.locator('fieldset > .field-error').getByText(/^limits: a token cannot change the limits/).waitFor();
    expect(await s.page.getByText('Rate limits saved.', { exact: true }).count()).toBe(0);
    expect((await tokenOf(s.t.rootId)).limits).toEqual([]);
    await s.shot('token-limits-own');
  });

  it('shows what is left of each limit a token’s checks consume, and its identity’s, going down after real checks', async () => {
    const identity = (await s.t.request('POST', '/v1/identities', { token: s.t.rootSecret, body: { externalId: 'metered-customer', limits: [{ name: 'per-hour', limit: 10, duration: 3600 }] } })).body;
    const parent = await s.t.createToken({ name: 'Metered parent', scopes: ['*'], limits: [{ name: 'parent-daily', limit: 100, duration: '1 day' }] });
    const made = await s.t.createToken({ name: 'Metered child', scopes: ['config:read'], identityId: identity.id, limits: [{ name: 'per-minute', limit: 5, duration: 60 }] }, parent.secret);
    await s.signIn();
    await s.page.goto(`/console/tokens/${made.id}`);
    const card = s.page.locator('.card', { has: s.page.getByRole('heading', { name: 'Rate limits now', exact: true }) });
    const row = (name: string) => card.getByRole('row', { name: new RegExp(`^${name} `) });
    await row('per-minute').getByText('5 / 5', { exact: true }).waitFor();
    expect(await row('per-minute').getByRole('cell').nth(1).textContent()).toBe('this token');
    expect(await row('parent-daily').getByRole('cell').nth(1).textContent()).toBe('token Metered parent');
    expect(await row('per-hour').getByRole('cell').nth(1).textContent()).toBe(`identity ${identity.id}`);
    await row('per-hour').getByText('10 / 10', { exact: true }).waitFor();
    expect(await row('per-minute').getByRole('cell').nth(3).textContent()).toMatch(/^(in \d+( min \d+)? s|now)$/);

    // Three real checks consume from every limit on the chain; the page reads them again without consuming any.
    for (let i = 0; i < 3; i++) expect((await s.t.request('POST', '/v1/verify', { body: { token: made.secret } })).body.code).toBe('VALID');
    await card.getByRole('button', { name: 'Refresh', exact: true }).click();
    await row('per-minute').getByText('2 / 5', { exact: true }).waitFor();
    await row('per-hour').getByText('7 / 10', { exact: true }).waitFor();
    await row('parent-daily').getByText('97 / 100', { exact: true }).waitFor();
    expect(await row('per-minute').getByRole('meter').getAttribute('aria-label')).toBe('per-minute: 2 of 5 left');
    await s.shot('token-rate-limits-now');
    await s.page.reload();
    await row('per-minute').getByText('2 / 5', { exact: true }).waitFor();

    // Without a click: the page reads the counts again every few seconds while it is in view.
    expect((await s.t.request('POST', '/v1/verify', { body: { token: made.secret } })).body.code).toBe('VALID');
    await row('per-minute').getByText('1 / 5', { exact: true }).waitFor({ timeout: 10_000 });

    // The identity's page shows its shared limit, as all its tokens consumed it.
    await s.page.goto(`/console/identities/${identity.id}`);
    await row('per-hour').getByText('6 / 10', { exact: true }).waitFor();
    expect(await row('per-hour').getByRole('cell').nth(1).textContent()).toBe('this identity');
    expect(await card.getByRole('row').count()).toBe(2);
    await s.shot('identity-rate-limits-now');
  });

  it('counts the data viewer’s refusals under the limit that refused them, and filters by one', async () => {
    const identity = (await s.t.request('POST', '/v1/identities', { token: s.t.rootSecret, body: { externalId: 'refused-customer', limits: [{ name: 'shared', limit: 3, duration: 3600 }] } })).body;
    const a = await s.t.createToken({ name: 'Refused A', scopes: ['config:read'], identityId: identity.id, limits: [{ name: 'burst', limit: 2, duration: 3600 }] });
    const b = await s.t.createToken({ name: 'Refused B', scopes: ['config:read'], identityId: identity.id });
    const c = await s.t.createToken({ name: 'Refused C', scopes: ['config:read'], credits: { remaining: 1 } });
    const check = async (secret: string) => (await s.t.request('POST', '/v1/verify', { body: { token: secret } })).body.code;
    // A: 2 pass, 3 refused by its own burst (a refusal consumes nothing, so the identity keeps 1); B: 1 passes on the
    // identity's last unit, 2 refused by it; C: 1 passes on its one credit, 1 refused for credits.
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push(await check(a.secret));
    for (let i = 0; i < 3; i++) codes.push(await check(b.secret));
    for (let i = 0; i < 2; i++) codes.push(await check(c.secret));
    expect(codes).toEqual(['VALID', 'VALID', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED', 'VALID', 'RATE_LIMITED', 'RATE_LIMITED', 'VALID', 'USAGE_EXCEEDED']);
    await s.t.tessera.ctx.usage.flush();

    await s.signIn();
    await s.page.getByRole('link', { name: 'Data viewer', exact: true }).click();
    const card = s.page.locator('.card', { has: s.page.getByRole('heading', { name: 'Refusals by limit', exact: true }) });
    await expect.poll(async () => {
      await s.page.getByRole('button', { name: 'Show', exact: true }).click();
      return card.count();
    }, { timeout: 10_000 }).toBe(1);
    const rows = () => card.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)));
    expect(await rows()).toEqual([['burst', 'token', '3'], ['shared', 'identity', '2'], ['credits', '—', '1']]);
    // The calls table names the limit that refused each bucket's checks.
    await s.page.locator('tbody tr', { hasText: 'Refused B' }).filter({ hasText: 'identity:shared' }).getByText('RATE_LIMITED', { exact: true }).waitFor();
    await s.shot('data-viewer-refusals');

    // Picking a limit asks the server for its refusals alone: the chart counts those two checks only.
    await card.getByRole('button', { name: 'Show only these (identity:shared)', exact: true }).click();
    await card.getByText('Only the checks identity:shared refused.', { exact: true }).waitFor();
    await expect.poll(() => s.page.getByRole('img', { name: /calls? in/ }).getAttribute('aria-label')).toBe('2 calls in 1 hour');
    expect(await rows()).toEqual([['shared', 'identity', '2']]);
    await card.getByRole('button', { name: 'Show every check', exact: true }).click();
    await expect.poll(() => s.page.getByRole('img', { name: /calls? in/ }).getAttribute('aria-label')).not.toBe('2 calls in 1 hour');

    // The outcome filter offers the limits' refusals too.
    await s.page.getByLabel('Outcome', { exact: true }).selectOption('USAGE_EXCEEDED');
    await s.page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect.poll(() => s.page.getByRole('img', { name: /calls? in/ }).getAttribute('aria-label')).toBe('1 call in 1 hour');
    expect(await rows()).toEqual([['credits', '—', '1']]);
  });
});
