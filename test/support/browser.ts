import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestApp } from './app.ts';

// The console in a real browser: Debian's Chromium (apt-get install chromium; .ci/run installs it)
// driven by playwright-core. Every page a test opens is watched for requests to any other host, and
// can be checked with axe-core (evaluated through the driver, so the page's own CSP stays on).

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots are kept: the run's artefacts, not the repository. */
export const artefactsDir = new URL('../../test-artifacts/console/', import.meta.url);

const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(`no Chromium at ${chromiumPath}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  // Playwright gives each launch a new, empty profile directory of its own.
  return chromium.launch({ executablePath: chromiumPath, args: flags });
}

export interface ConsoleBrowser {
  page: Page;
  base: string;
  /** Every request the page made to a host other than the gateway's. */
  elsewhere: string[];
  close(): Promise<void>;
}

/** The gateway of a test app listening on a port of its own, and a fresh browser context watching its requests. */
export async function openConsole(browser: Browser, t: TestApp, viewport = { width: 1280, height: 900 }): Promise<ConsoleBrowser> {
  const address = t.app.server.listening
    ? t.app.server.address()
    : await t.app.listen({ port: 0, host: '127.0.0.1' }).then(() => t.app.server.address());
  if (address === null || typeof address === 'string') throw new Error('the gateway has no TCP address');
  const base = `http://127.0.0.1:${address.port}`;
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const elsewhere: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.origin !== base) elsewhere.push(request.url());
  });
  return { page, base, elsewhere, close: () => context.close() };
}

export async function signIn(console: ConsoleBrowser, key: string): Promise<void> {
  await console.page.goto(`${console.base}/console/sign-in`);
  await console.page.getByLabel('API key', { exact: true }).fill(key);
  await console.page.getByRole('button', { name: 'Sign in' }).click();
  await console.page.waitForURL((url) => !url.pathname.startsWith('/console/sign-in'));
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's WCAG 2 A and AA rules on the page as it stands: none may fail. */
export async function expectAccessible(page: Page): Promise<void> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations;
  })) as AxeViolation[];
  const described = violations.map(
    (v) => `${v.id} (${v.impact ?? '?'}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(described, `accessibility of ${page.url()}`).toEqual([]);
}

/** A full-page screenshot kept as a test artefact (test-artifacts/console/<name>.png). */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artefactsDir, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, artefactsDir).pathname, fullPage: true });
}

/** Tabs through the page and reports whether focus reached an element matching the selector. */
export async function reachableByKeyboard(page: Page, selector: string, maxTabs = 60): Promise<boolean> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return true;
  }
  return false;
}
