import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, startTestApp, type TestApp } from '../support/app.ts';
import {
  expectAccessible,
  keepScreenshot,
  launchBrowser,
  openConsole,
  reachableByKeyboard,
  signIn,
  type ConsoleBrowser,
} from '../support/browser.ts';

// Signing in and out in a real Chromium, on a laptop's and a phone's screen.

describe('console in a browser: sign-in', () => {
  let t: TestApp;
  let browser: Browser;
  let c: ConsoleBrowser;

  beforeAll(async () => {
    t = await startTestApp('postgres');
    browser = await launchBrowser();
    c = await openConsole(browser, t);
  });
  afterAll(async () => {
    await c?.close();
    await browser?.close();
    await t?.close();
  });

  it('shows an accessible sign-in page, reachable by keyboard, loading nothing from elsewhere', async () => {
    await c.page.goto(`${c.base}/console/orders`);
    expect(new URL(c.page.url()).pathname).toBe('/console/sign-in');
    await expect.poll(() => c.page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
    expect(await reachableByKeyboard(c.page, '#key')).toBe(true);
    await expectAccessible(c.page);
    await keepScreenshot(c.page, 'sign-in');
    expect(c.elsewhere).toEqual([]);
  });

  it('tells a wrong key, signs in with the admin key where it was going, and signs out', async () => {
    await c.page.getByLabel('API key', { exact: true }).fill('not-a-key');
    await c.page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => c.page.getByRole('alert').textContent()).toContain('unknown or revoked');
    await signIn(c, adminKey);
    expect(await c.page.getByText('Administrator').count()).toBeGreaterThan(0);
    await c.page.getByRole('button', { name: 'Sign out' }).click();
    await c.page.waitForURL((url) => url.pathname === '/console/sign-in');
    await c.page.goto(`${c.base}/console/work`);
    expect(new URL(c.page.url()).pathname).toBe('/console/sign-in');
    expect(c.elsewhere).toEqual([]);
  });
});
