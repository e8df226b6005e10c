/** Shared set-up of the console's browser suites: Debian's chromium through playwright-core, failing on console errors. */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { defaultConsoleDir } from '../../src/http/console-routes.js';
import { startTestApp, type TestApp } from '../../src/testing/test-app.js';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const inCi = process.env.CI === 'true';
const installHint = 'apt-get install -y chromium to run the browser tests';

export const screenshotDir = join(process.cwd(), 'test-output', 'screenshots');
export const desktop = { width: 1280, height: 900 };
export const phone = { width: 390, height: 844 };

/**
 * Whether a browser suite skips: in any project but SQLite's (the console is a pure HTTP client, one backend is
 * enough and keeps one set of screenshots), or on a workstation without chromium — never under CI=true, where a
 * missing chromium fails the suite instead.
 */
export function browserSuiteSkipped(suite: string): boolean {
  if (!haveChromium && !inCi) console.warn(`${suite}: ${chromiumPath} not found, skipped; ${installHint}`);
  const otherStore = (process.env.TESSERA_TEST_STORE ?? 'sqlite') !== 'sqlite';
  return otherStore || (!haveChromium && !inCi);
}

/** Launches headless chromium with the flags this machine needs (see MACHINE-NOTES), once the console is built. */
export async function launchBrowser(): Promise<Browser> {
  if (!haveChromium) throw new Error(`${chromiumPath} is missing: ${installHint}`);
  if (!existsSync(join(defaultConsoleDir, 'index.html'))) throw new Error('console/dist is missing: run `npm run build` first');
  mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface ConsoleWatch {
  /** Browser console errors, page errors and Content-Security-Policy violations seen so far; a test ends by expecting none. */
  errors: string[];
  /** HTTP statuses a test provokes on purpose: the browser logs each as a console error. */
  expected: number[];
}

export async function watchConsole(page: Page): Promise<ConsoleWatch> {
  const watch: ConsoleWatch = { errors: [], expected: [] };
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const status = /status of (\d{3})/.exec(message.text())?.[1];
    if (status && watch.expected.includes(Number(status))) return;
    watch.errors.push(message.text());
  });
  page.on('pageerror', (error) => watch.errors.push(`page error: ${error.message}`));
  // Every page of every test runs under the console's CSP: a violation is reported as a console error, so it fails the test.
  // Awaited: a test that never uses its page would otherwise close it under the pending call (an unhandled rejection).
  await page.addInitScript({ content: cspViolationReporter });
  return watch;
}

const cspViolationReporter = `document.addEventListener('securitypolicyviolation', (event) => {
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') + ' at ' + event.sourceFile + ':' + event.lineNumber);
});`;

export function screenshot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

export async function signIn(page: Page, secret: string): Promise<void> {
  await page.goto('/console/');
  await page.getByLabel('Access token').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Access tokens' }).waitFor();
}

export interface ConsoleSuite {
  readonly t: TestApp;
  readonly page: Page;
  readonly context: BrowserContext;
  readonly watch: ConsoleWatch;
  /** Signs in (as the root token unless told) and waits for the tokens list. */
  signIn(secret?: string): Promise<void>;
  shot(name: string): Promise<Buffer>;
  /** Replaces the catalog with one of examples/catalogs (forced: earlier tests' tokens may hold what it lacks). */
  useCatalog(file: string): Promise<void>;
}

/**
 * The set-up every console browser suite shares: one chromium and one real server (on the real clock, as the browser
 * is) per file, a fresh browser context per test, failing the test on any console error or CSP violation.
 */
export function consoleSuite(options: { catalog: string; /** Lets pages read and write the clipboard (a Copy button's test). */ clipboard?: boolean }): ConsoleSuite {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let watch: ConsoleWatch | undefined;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not ready: use it inside a test`);
    return value;
  };

  const suite: ConsoleSuite = {
    get t() { return need(t, 'the test app'); },
    get page() { return need(page, 'the page'); },
    get context() { return need(context, 'the browser context'); },
    get watch() { return need(watch, 'the console watch'); },
    signIn: (secret) => signIn(suite.page, secret ?? suite.t.rootSecret),
    shot: (name) => screenshot(suite.page, name),
    async useCatalog(file) {
      const source = readFileSync(join(process.cwd(), 'examples/catalogs', file), 'utf8');
      const applied = await suite.t.request('PUT', '/v1/catalog', { token: suite.t.rootSecret, body: { source, format: 'yaml', force: true } });
      if (applied.status !== 200) throw new Error(`catalog ${file} not applied: ${applied.text}`);
    },
  };

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestApp();
    // The browser reads the real clock: the server must agree with it about what "in 30 days" or "expired" means.
    t.clock.ms = Date.now();
    t.tessera.start();
    await suite.useCatalog(options.catalog);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => {
    context = await need(browser, 'the browser').newContext({ viewport: desktop, baseURL: suite.t.baseUrl });
    if (options.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.t.baseUrl });
    page = await context.newPage();
    watch = await watchConsole(page);
  });
  afterEach(async () => {
    await context?.close();
    expect(suite.watch.errors).toEqual([]);
  });
  return suite;
}

/** A permission tree's checkbox, found by its scope (its name is the permission's name, the scope its description). */
export function treeCheckbox(page: Page, scope: string) {
  return page.locator('.tree li', { has: page.locator('code', { hasText: new RegExp(`^${scope.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).getByRole('checkbox');
}
