// Lock-out care (issues 13 and 14): the console warns before acting on the token it is signed in with, shows the server's
// 409 for the account's last manager while the session goes on, keeps working when it
// rotates that token, and when the server ends the session (401) it returns to sign-in saying why.
import { describe, expect, it } from 'vitest';
import { browserSuiteSkipped, consoleSuite } from './browser-fixture.js';

declare const sessionStorage: { getItem(key: string): string | null };

describe.skipIf(browserSuiteSkipped('console-session.browser.test'))('the signed-in token in the console', { timeout: 90_000 }, () => {
  const s = consoleSuite({ catalog: 'communications.yaml' });
  const code = async (secret: string) => (await s.t.request('POST', '/v1/verify', { body: { token: secret } })).body.code;
  const manager = (name: string) => s.t.createToken({ name, scopes: ['*'] });
  const ownWarning = 'This is the token you are signed in with.';

  it('warns before revoking its own token from the list, then says why the session ended', async () => {
    s.watch.expected = [401];
    const me = await manager('Console session');
    const other = await s.t.createToken({ name: 'Someone else', scopes: ['config:read'] });
    await s.signIn(me.secret);
    await s.page.getByRole('button', { name: 'Revoke Someone else' }).click();
    const otherDialog = s.page.getByRole('dialog', { name: 'Revoke Someone else?' });
    await otherDialog.getByText('Revocation cannot be undone.').waitFor();
    expect(await otherDialog.getByText(ownWarning).count()).toBe(0);
    await otherDialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await code(other.secret)).toBe('VALID');

    await s.page.getByRole('button', { name: 'Revoke Console session' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Revoke Console session?' });
    await dialog.getByText(ownWarning).waitFor();
    await s.shot('revoke-own-token-warning');
    await dialog.getByRole('button', { name: 'Yes, revoke it!' }).click();
    // The list reloads with a token the server now refuses: back to sign-in, with the server's reason.
    await s.page.getByText('Your session ended:').waitFor();
    await s.page.getByText('the token has been revoked').waitFor();
    await s.page.getByLabel('Access token').waitFor();
    expect(await s.page.evaluate(() => sessionStorage.getItem('tessera.token'))).toBeNull();
    expect(await code(me.secret)).toBe('REVOKED');
    await s.shot('session-ended');
  });

  it('says why when the token is disabled elsewhere mid-session, and forgets the reason after a new sign-in', async () => {
    s.watch.expected = [401];
    const me = await manager('Disabled elsewhere');
    await s.signIn(me.secret);
    expect((await s.t.request('POST', `/v1/tokens/${me.id}/disable`, { token: s.t.rootSecret })).status).toBe(200);
    await s.page.getByRole('link', { name: 'Audit log' }).click();
    await s.page.getByText('Your session ended:').waitFor();
    await s.page.getByText('the token is disabled').waitFor();
    await s.signIn();
    await s.page.getByRole('button', { name: 'Sign out' }).click();
    await s.page.getByLabel('Access token').waitFor();
    expect(await s.page.getByText('Your session ended:').count()).toBe(0);
  });

  it('asks before disabling its own token, and warns when bulk delete includes it', async () => {
    const me = await manager('Careful manager');
    await s.signIn(me.secret);
    await s.page.goto(`/console/tokens/${me.id}`);
    await s.page.getByText('signed in with this token').waitFor();
    await s.page.getByRole('switch', { name: 'Enabled' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Disable Careful manager?' });
    await dialog.getByText(ownWarning).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await s.page.getByRole('switch', { name: 'Enabled' }).getAttribute('aria-checked')).toBe('true');
    expect(await code(me.secret)).toBe('VALID');
    await s.page.getByRole('button', { name: 'Revoke' }).click();
    await s.page.getByRole('dialog', { name: 'Revoke Careful manager?' }).getByText(ownWarning).waitFor();
    await s.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    const other = await s.t.createToken({ name: 'Careful other', scopes: ['config:read'] });
    await s.page.getByRole('link', { name: '← Tokens' }).click();
    await s.page.getByRole('checkbox', { name: 'Select Careful other' }).check();
    await s.page.getByRole('button', { name: 'Delete selected (1)' }).click();
    expect(await s.page.getByRole('dialog').getByText(ownWarning).count()).toBe(0);
    await s.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await s.page.getByRole('checkbox', { name: 'Select Careful manager' }).check();
    await s.page.getByRole('button', { name: 'Delete selected (2)' }).click();
    await s.page.getByRole('dialog').getByText(ownWarning).waitFor();
    await s.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await code(other.secret)).toBe('VALID');
  });

  it('shows the server’s 409 when the root token tries to revoke or bulk-delete itself, and the session continues', async () => {
    // Every API-made manager descends from the root token: revoking or deleting it would leave no manager (docs/security.md rule 9).
    s.watch.expected = [409];
    const root = (await s.t.request('GET', '/v1/account', { token: s.t.rootSecret })).body.caller;
    const bystander = await s.t.createToken({ name: 'Bystander', scopes: ['config:read'] });
    await s.signIn();
    const refusal = /would leave the account without a live token that can manage it/;
    const banner = s.page.getByRole('alert').filter({ hasText: 'That did not work.' });

    await s.page.getByRole('button', { name: `Revoke ${root.name}` }).click();
    const dialog = s.page.getByRole('dialog', { name: `Revoke ${root.name}?` });
    await dialog.getByText(ownWarning).waitFor();
    await dialog.getByRole('button', { name: 'Yes, revoke it!' }).click();
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/revoking token \S+ would leave/);
    expect(await banner.textContent()).toMatch(refusal);
    expect(await banner.textContent()).toMatch(/CONFLICT/);
    await s.shot('revoke-root-refused');
    expect(await code(s.t.rootSecret)).toBe('VALID');

    await s.page.getByRole('checkbox', { name: `Select ${root.name}` }).check();
    await s.page.getByRole('checkbox', { name: 'Select Bystander' }).check();
    await s.page.getByRole('button', { name: 'Delete selected (2)' }).click();
    await s.page.getByRole('dialog').getByText(ownWarning).waitFor();
    await s.page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => s.page.getByRole('dialog').count()).toBe(0);
    await expect.poll(() => banner.textContent()).toMatch(/this deletion would leave/);
    expect(await banner.textContent()).toMatch(refusal);
    // All or nothing: the bystander was not deleted either.
    expect(await code(bystander.secret)).toBe('VALID');
    expect(await code(s.t.rootSecret)).toBe('VALID');

    // Still signed in: the session and its pages keep working.
    expect(await s.page.evaluate(() => sessionStorage.getItem('tessera.token'))).toBe(s.t.rootSecret);
    await s.page.getByRole('link', { name: 'Audit log' }).click();
    await s.page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    expect(await s.page.getByText('Your session ended:').count()).toBe(0);
  });

  it('rotates its own token with an overlap and keeps working on the new secret', async () => {
    const me = await manager('Rotating myself');
    await s.signIn(me.secret);
    await s.page.goto(`/console/tokens/${me.id}`);
    await s.page.getByRole('button', { name: 'Rotate' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Rotate Rotating myself?' });
    await dialog.getByText('the console switches to the new secret').waitFor();
    await dialog.getByLabel('The current secret').selectOption({ label: 'Keep it working for 5 minutes' });
    await dialog.getByRole('button', { name: 'Rotate' }).click();
    await s.page.getByText('The old one keeps working for 5 minutes.').waitFor();
    const stored = await s.page.evaluate(() => sessionStorage.getItem('tessera.token'));
    expect(stored).not.toBe(me.secret);
    expect(await code(stored!)).toBe('VALID');
    expect(await code(me.secret)).toBe('VALID');
    await s.page.reload();
    await s.page.getByRole('heading', { name: /Rotating myself/ }).waitFor();
  });
});
