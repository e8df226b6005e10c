/** Shared set-up of the console's browser suites: Debian's chromium through playwright-core, failing on console errors. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { defaultConsoleDir } from '../http/console-routes.js';

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
  /** Browser console errors and page errors seen so far; a test ends by expecting none. */
  errors: string[];
  /** HTTP statuses a test provokes on purpose: the browser logs each as a console error. */
  expected: number[];
}

export function watchConsole(page: Page): ConsoleWatch {
  const watch: ConsoleWatch = { errors: [], expected: [] };
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const status = /status of (\d{3})/.exec(message.text())?.[1];
    if (status && watch.expected.includes(Number(status))) return;
    watch.errors.push(message.text());
  });
  page.on('pageerror', (error) => watch.errors.push(`page error: ${error.message}`));
  return watch;
}

export function screenshot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

export async function signIn(page: Page, secret: string): Promise<void> {
  await page.goto('/console/');
  await page.getByLabel('Access token').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Access tokens' }).waitFor();
}
