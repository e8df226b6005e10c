// Accessibility and the data viewer (issue 21): a visible focus ring on the dark top bar, permission tree checkboxes
// named by their permission, included permissions shown ticked, and a chart that tells the truth about its data.
import { describe, expect, it } from 'vitest';
import { browserSuiteSkipped, consoleSuite, treeCheckbox } from './browser-fixture.js';

declare const document: { activeElement: unknown; querySelector(selector: string): unknown };
declare function getComputedStyle(element: unknown): { boxShadow: string; backgroundColor: string };

/** WCAG relative luminance of an `rgb(r, g, b)` colour. */
function luminance(rgb: string): number {
  const [r = 0, g = 0, b = 0] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

describe.skipIf(browserSuiteSkipped('console-a11y.browser.test'))('accessibility and the data viewer', { timeout: 90_000 }, () => {
  const s = consoleSuite({ catalog: 'communications.yaml' });

  it('shows a focus ring on the dark top bar with at least 3:1 contrast', async () => {
    await s.signIn();
    await s.page.getByRole('link', { name: 'Endpoints' }).focus();
    await s.page.keyboard.press('Shift+Tab');
    await s.page.keyboard.press('Tab');
    const colours = await s.page.evaluate(() => ({
      ring: getComputedStyle(document.activeElement).boxShadow,
      bar: getComputedStyle(document.querySelector('.topbar')).backgroundColor,
    }));
    const ring = /rgba?\([^)]*\)/.exec(colours.ring)?.[0];
    expect(ring).toBeDefined();
    expect(contrast(ring!, colours.bar)).toBeGreaterThanOrEqual(3);
    await s.shot('focus-ring-top-bar');
  });

  it('names tree checkboxes by their permission and shows an included permission ticked and fixed', async () => {
    await s.signIn();
    await s.page.getByRole('link', { name: 'Add New Access Token' }).click();
    await s.page.getByRole('checkbox', { name: /^One API Access – All Channels Use/ }).check();
    await s.page.getByRole('button', { name: 'Advanced options' }).click();
    await expect.poll(() => treeCheckbox(s.page, 'ecapi:send').isChecked()).toBe(true);
    // ecapi:send includes each channel's send permission: shown ticked, not clickable, and said so in its name.
    const sms = treeCheckbox(s.page, 'ecapi:send:sms');
    await expect.poll(() => sms.isChecked()).toBe(true);
    expect(await sms.isDisabled()).toBe(true);
    expect(await s.page.getByRole('checkbox', { name: 'SMS (included)', exact: true }).count()).toBe(1);
    expect(await s.page.getByRole('checkbox', { name: 'Send on all channels', exact: true }).isChecked()).toBe(true);
    expect(await s.page.getByRole('checkbox', { name: /\w:\w/ }).count()).toBe(0);
    await s.shot('create-token-tree-included');
  });

  it('drops the old chart after a refused date range, centres a single bucket, and says "1 hour"', async () => {
    s.watch.expected = [400];
    const made = await s.t.createToken({ name: 'One call', scopes: ['config:read'] });
    expect((await s.t.request('POST', '/v1/verify', { body: { token: made.secret, scopes: ['config:read'] } })).body.code).toBe('VALID');
    s.t.clock.advance(60);
    await s.t.tessera.ctx.usage.flush();
    await s.signIn();
    await s.page.goto(`/console/data?tokenId=${made.id}`);
    const chart = s.page.getByRole('img', { name: /calls? in/ });
    await expect.poll(async () => {
      await s.page.getByRole('button', { name: 'Show' }).click();
      return chart.count();
    }, { timeout: 10_000 }).toBe(1);
    expect(await chart.getAttribute('aria-label')).toBe('1 call in 1 hour');
    const labels = chart.locator('text.axis');
    // One bucket: the value axis (max, 0) and one time label, under the bar in the middle.
    expect(await labels.count()).toBe(3);
    const bar = await chart.locator('rect').first().boundingBox();
    const time = await labels.nth(2).boundingBox();
    const svg = await chart.boundingBox();
    if (!bar || !time || !svg) throw new Error('the chart has no bar, label or box');
    expect(Math.abs(bar.x + bar.width / 2 - (time.x + time.width / 2))).toBeLessThan(2);
    expect(bar.x - svg.x).toBeGreaterThan(svg.width * 0.3);
    // The legend's colour swatch stays a swatch.
    expect((await s.page.locator('.legend .swatch').first().boundingBox())?.width).toBeLessThan(20);
    await s.shot('data-viewer-one-bucket');

    await s.page.getByLabel('From', { exact: true }).fill('2030-01-02T00:00');
    await s.page.getByLabel('To', { exact: true }).fill('2030-01-01T00:00');
    await s.page.getByRole('button', { name: 'Show' }).click();
    await s.page.locator('#usage-from-error').waitFor();
    expect(await chart.count()).toBe(0);
    expect(await s.page.locator('tbody tr').count()).toBe(0);
  });
});
