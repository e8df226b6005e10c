// Issue 20 item 1 in the console: add a webhook endpoint (the signing secret shown once, with Copy), a bad URL named
// in its field, and the endpoint's delivery log with Redeliver; a real receiver checks the signatures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../src/testing/webhook-receiver.js';
import { browserSuiteSkipped, consoleSuite } from './browser-fixture.js';

declare const navigator: { clipboard: { readText(): Promise<string> } };

describe.skipIf(browserSuiteSkipped('console-webhooks.browser.test'))('webhooks in the console', { timeout: 90_000 }, () => {
  const s = consoleSuite({ catalog: 'communications.yaml', clipboard: true });
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => receiver.close());

  it('adds an endpoint, shows its signing secret once with Copy, and redelivers from the delivery log', async () => {
    await s.signIn();
    await s.page.getByRole('link', { name: 'Webhooks' }).click();
    await s.page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await s.page.getByRole('button', { name: '+ Add endpoint' }).click();

    // A bad URL is refused in its field and adds nothing (the browser logs the 400 it provokes).
    s.watch.expected = [400];
    await s.page.getByLabel('URL').fill('ftp://files.example.com/in');
    await s.page.getByRole('button', { name: 'Add endpoint', exact: true }).click();
    const fieldError = s.page.locator('.field-error');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain('url');

    await s.page.getByLabel('URL').fill(receiver.url);
    await s.page.getByLabel('Description').fill('pager');
    await s.page.getByRole('button', { name: 'Add endpoint', exact: true }).click();
    const secretInput = s.page.getByLabel('Signing secret', { exact: true });
    await secretInput.waitFor();
    await s.page.getByRole('button', { name: 'Copy' }).click();
    await s.page.getByText('Copied to the clipboard.').waitFor();
    const secret = await s.page.evaluate(() => navigator.clipboard.readText());
    expect(secret).toMatch(/^whsec_/);
    expect(await secretInput.inputValue()).toBe(secret);
    await s.shot('webhook-secret-once');
    await s.page.getByRole('button', { name: 'Done' }).click();
    const row = s.page.getByRole('row', { name: /pager/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('All events');
    // Shown once: the list (and a reload of it) never carries the secret again.
    await s.page.reload();
    await s.page.getByRole('row', { name: /pager/ }).waitFor();
    expect(await s.page.content()).not.toContain(secret.slice(6));

    receiver.secrets.push(secret);
    await s.t.createToken({ name: 'Nightly', scopes: ['config:read'] });
    await s.t.tessera.deliverWebhooks();
    expect(receiver.received.map((r) => [r.body.type, r.verifiedWith])).toEqual([['token.created', [0]]]);

    await s.page.getByRole('link', { name: 'Delivery log' }).click();
    const delivery = s.page.getByRole('row', { name: /token\.created/ });
    await delivery.getByText('delivered').waitFor();
    expect(await delivery.textContent()).toContain('HTTP 204');
    await s.shot('webhook-deliveries');
    await delivery.getByRole('button', { name: /Redeliver/ }).click();
    await s.page.getByText(/is queued to be sent again/).waitFor();
    await s.t.tessera.deliverWebhooks();
    expect(receiver.received.map((r) => r.id)).toEqual([receiver.received[0]!.id, receiver.received[0]!.id]);
  });
});
