// The console as a careful site (issue 14): every page works under its strict CSP with no violation, what is served is
// precompressed and has no source map, and the first load stays light (issue 21).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSuiteSkipped, consoleSuite, phone } from './browser-fixture.js';
import { consoleContentSecurityPolicy, defaultConsoleDir } from '../../src/http/console-routes.js';

declare const document: {
  createElement(tag: string): { textContent: string };
  head: { append(node: unknown): void };
  activeElement: { textContent: string | null } | null;
  documentElement: { scrollWidth: number };
};

describe.skipIf(browserSuiteSkipped('console-site.browser.test'))('the console as a careful site', { timeout: 90_000 }, () => {
  const s = consoleSuite({ catalog: 'iot.yaml' });

  it('walks every page under the CSP with no violation and no console error', async () => {
    const made = await s.t.createToken({ name: 'Under CSP', scopes: ['device:*:ListDevices'] });
    const first = await s.page.goto('/console/');
    expect(first?.headers()['content-security-policy']).toBe(consoleContentSecurityPolicy);
    expect(first?.headers()['x-frame-options']).toBe('DENY');
    await s.signIn();
    const visits: [string, string | RegExp][] = [
      ['Add New Access Token', 'Add New Access Token'],
      ['Endpoints', 'Endpoints'],
      ['Data viewer', 'Data viewer'],
      ['Catalog', 'Catalog'],
      ['Audit log', 'Audit log'],
      ['Tokens', 'Access tokens'],
    ];
    for (const [link, heading] of visits) {
      await s.page.getByRole('link', { name: link, exact: true }).first().click();
      await s.page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    }
    await s.page.getByRole('link', { name: 'Under CSP' }).click();
    await s.page.getByRole('heading', { name: /Under CSP/ }).waitFor();
    await s.page.getByRole('heading', { name: 'Usage' }).waitFor();
    await s.page.goto(`/console/data?tokenId=${made.id}`);
    await s.page.getByRole('heading', { name: 'Data viewer' }).waitFor();
  });

  it('reports a violation when something inline slips in (the watch itself works)', async () => {
    await s.page.goto('/console/');
    await s.page.getByLabel('Access token').waitFor();
    await s.page.evaluate(() => {
      const style = document.createElement('style');
      style.textContent = 'body { color: red }';
      document.head.append(style);
    });
    // Both chromium's own message and the page's report arrive; then they are cleared, being on purpose.
    await expect.poll(() => s.watch.errors.length).toBe(2);
    expect(s.watch.errors.join('\n')).toMatch(/violates the following Content Security Policy directive 'style-src/);
    expect(s.watch.errors.join('\n')).toMatch(/CSP violation: style-src/);
    s.watch.errors.length = 0;
  });

  it('builds no source map and serves none; sends the script compressed with Vary', async () => {
    const files = readdirSync(join(defaultConsoleDir, 'assets'));
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const html = readFileSync(join(defaultConsoleDir, 'index.html'), 'utf8');
    // No inline script, no inline style: everything comes from files the CSP names by origin.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\bstyle=/);
    const entry = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(entry).toBeDefined();
    for (const encoding of ['br', 'gzip']) {
      const response = await fetch(s.t.baseUrl + entry, { headers: { 'accept-encoding': encoding } });
      expect(response.headers.get('content-encoding')).toBe(encoding);
      expect(response.headers.get('vary')).toMatch(/Accept-Encoding/i);
      expect(response.headers.get('content-security-policy')).toBe(consoleContentSecurityPolicy);
      expect((await response.text()).length).toBeGreaterThan(1000);
    }
    expect((await fetch(`${s.t.baseUrl}${entry}.map`)).status).toBe(404);
  });

  it('loads under 150 KB of compressed script until the tokens list shows, and fetches /v1/account once', async () => {
    const scripts = new Map<string, number>();
    const measuring: Promise<void>[] = [];
    const accountCalls: string[] = [];
    s.page.on('requestfinished', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/v1/account') accountCalls.push(request.method());
      if (url.pathname.endsWith('.js')) {
        measuring.push(request.response().then(async (response) => {
          // What crossed the wire: the compressed body the server chose for chromium's Accept-Encoding.
          const sizes = await request.sizes();
          scripts.set(url.pathname, sizes.responseBodySize);
          expect(response?.headers()['content-encoding']).toMatch(/^(br|gzip)$/);
        }));
      }
    });
    await s.signIn();
    await s.page.getByRole('columnheader', { name: 'Permissions' }).waitFor();
    await expect.poll(() => scripts.size).toBeGreaterThan(0);
    // Every script measured before the sum (and none left pending when the page closes).
    await Promise.all(measuring);
    const total = [...scripts.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(150 * 1024);
    expect(accountCalls).toEqual(['GET']);
  });

  it('ships no YAML parser in any chunk: resource types come from GET /v1/catalog/tree', async () => {
    const chunks = readdirSync(join(defaultConsoleDir, 'assets')).filter((f) => f.endsWith('.js'));
    expect(chunks.length).toBeGreaterThan(3);
    // The yaml package's own error classes: present in any build that bundles its parser.
    const withYaml = chunks.filter((f) => /YAMLParseError|YAMLWarning|YAMLSemanticError/.test(readFileSync(join(defaultConsoleDir, 'assets', f), 'utf8')));
    expect(withYaml).toEqual([]);
    // And the page that used it still names resource grants in words (the IoT platform's iot.yaml is this suite's catalog).
    const tree = await s.t.request('GET', '/v1/catalog/tree', { token: s.t.rootSecret });
    expect(tree.body.resources.find((r: { type: string }) => r.type === 'device')).toMatchObject({
      name: 'Device', pattern: 'device:{id}:{action}', actions: expect.arrayContaining([{ name: 'ListDevices', description: 'List the account devices.' }]),
    });
    await s.signIn();
    await s.page.getByRole('link', { name: 'Catalog', exact: true }).click();
    await s.page.getByRole('heading', { name: 'Catalog', level: 1 }).waitFor();
    await s.page.locator('summary', { hasText: 'Token permissions' }).click();
    await s.page.getByRole('checkbox', { name: 'ListDevices, all devices' }).waitFor();
    await s.page.getByRole('checkbox', { name: 'Every bucket, every action' }).waitFor();
  });

  it('reaches every page from the keyboard alone on a 390 px screen, none scrolling sideways', async () => {
    const made = await s.t.createToken({ name: 'Narrow and keyed', scopes: ['device:*:ListDevices'], allowedIps: ['2001:db8:1234:5678::/64'] });
    await s.page.setViewportSize(phone);
    await s.signIn();
    const focusedText = () => s.page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    /** Moves the keyboard (backwards or forwards) to the control whose text is `text`, at most 60 key presses away. */
    const tabTo = async (text: string, key: 'Tab' | 'Shift+Tab') => {
      for (let i = 0; i < 60 && (await focusedText()) !== text; i++) await s.page.keyboard.press(key);
      expect(await focusedText()).toBe(text);
    };
    const pages: [string, string][] = [
      ['Endpoints', 'Endpoints'], ['Data viewer', 'Data viewer'], ['Catalog', 'Catalog'], ['Audit log', 'Audit log'], ['Tokens', 'Access tokens'],
    ];
    for (const [link, heading] of pages) {
      await tabTo(link, 'Shift+Tab');
      await s.page.keyboard.press('Enter');
      await s.page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      expect(await s.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    }
    await tabTo('Add New Access Token', 'Tab');
    await s.page.keyboard.press('Enter');
    await s.page.getByRole('heading', { name: 'Add New Access Token', level: 1 }).waitFor();
    expect(await s.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await tabTo('Tokens', 'Shift+Tab');
    await s.page.keyboard.press('Enter');
    await s.page.getByRole('heading', { name: 'Access tokens', level: 1 }).waitFor();
    await tabTo(made.token.name, 'Tab');
    await s.page.keyboard.press('Enter');
    await s.page.getByRole('heading', { name: /Narrow and keyed/, level: 1 }).waitFor();
    expect(await s.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await s.shot('token-page-390-keyboard');
  });
});
