// Issue 20 item 5 in the console: a token stopped by a leak report is marked "leaked" in the audit log, its actor
// the leak report, and the change names where the secret was found.
import { describe, expect, it } from 'vitest';
import { browserSuiteSkipped, consoleSuite } from './browser-fixture.js';

describe.skipIf(browserSuiteSkipped('console-leaks.browser.test'))('leaked tokens in the console', { timeout: 90_000 }, () => {
  const s = consoleSuite({ catalog: 'communications.yaml' });

  it('marks the audit entry of a token a leak report disabled', async () => {
    const leaked = await s.t.createToken({ name: 'Pushed to GitHub', scopes: ['config:read'] });
    const reporter = await s.t.createToken({ name: 'Scanner', scopes: ['leaks:report'] });
    const report = [{ token: leaked.secret, type: 'tessera_token', url: 'https://github.com/octo/app/blob/1a2b/.env', source: 'content' }];
    const res = await s.t.request('POST', '/v1/leaks', { token: reporter.secret, body: report });
    expect(res.body[0].label).toBe('true_positive');
    await s.signIn();
    await s.page.goto('/console/audit');
    const row = s.page.getByRole('row', { name: /Pushed to GitHub/ }).filter({ hasText: 'token.disable' });
    await row.getByText('leaked', { exact: true }).waitFor();
    await row.getByText('leak report').waitFor();
    expect(await row.textContent()).toContain('github.com/octo/app');
    expect(await s.page.content()).not.toContain(leaked.secret);
    await s.shot('audit-leaked');
  });
});
