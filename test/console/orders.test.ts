import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, sampleOrder, startTestApp, type TestApp } from '../support/app.ts';
import { expectAccessible, keepScreenshot, launchBrowser, openConsole, signIn, type ConsoleBrowser } from '../support/browser.ts';

// Orders in flight in a real Chromium: find an order with the search form, open its page (the
// lines as a tree, the task graph), and watch the list follow the event stream.

describe('console in a browser: orders', () => {
  let t: TestApp;
  let browser: Browser;
  let c: ConsoleBrowser;
  let shop: { id: string; key: string };
  const ids: Record<string, string> = {};
  let submitted = 0;

  const submit = async (externalRef: string) => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: shop.key,
      headers: { 'idempotency-key': `browser-${externalRef}` },
      payload: { ...sampleOrder, externalRef },
    });
    expect(res.statusCode).toBe(201);
    ids[externalRef] = res.json().id;
  };

  beforeAll(async () => {
    t = await startTestApp('postgres', { server: { stream: { pollMs: 50, heartbeatMs: 5_000 } } });
    shop = await t.partner('Corner shop');
    for (const ref of ['PO-3001', 'PO-3002', 'FIND-ME-7']) await submit(ref);
    browser = await launchBrowser();
    c = await openConsole(browser, t);
    await signIn(c, adminKey);
  });
  afterAll(async () => {
    await c?.close();
    await browser?.close();
    await t?.close();
  });

  it('finds an order by its reference with the search form', async () => {
    await c.page.goto(`${c.base}/console/orders`);
    await c.page.getByLabel('Reference (or its beginning)').fill('FIND-ME');
    await c.page.getByRole('button', { name: 'Search' }).click();
    await c.page.waitForURL((url) => url.searchParams.get('ref') === 'FIND-ME');
    const rows = c.page.locator('#orders tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.getByRole('link').textContent()).toBe('FIND-ME-7');
    expect(await rows.locator('td').nth(1).textContent()).toBe('Corner shop');
    await expectAccessible(c.page);
    await keepScreenshot(c.page, 'orders');
  });

  it('opens the order: its lines as a tree and its task graph with the dependencies', async () => {
    await c.page.getByRole('link', { name: 'FIND-ME-7' }).click();
    await c.page.waitForURL((url) => url.pathname === `/console/orders/${ids['FIND-ME-7']}`);
    expect(await c.page.getByRole('heading', { level: 1 }).textContent()).toContain('Order FIND-ME-7');
    expect(await c.page.getByRole('rowheader', { name: /component of line 2/ }).count()).toBe(2);
    expect(await c.page.getByRole('img', { name: /tasks, each right of the tasks it waits for/ }).count()).toBe(1);
    expect(await c.page.locator('svg g.task').count()).toBe(4);
    expect(await c.page.locator('svg path.dependency').count()).toBe(2);
    expect(await c.page.locator('ol.task-list li').filter({ hasText: 'waits for 2.1 · ship-modem and 2.2 · activate-port' }).count()).toBe(
      1,
    );
    expect(await c.page.getByRole('button', { name: 'Cancel order' }).count()).toBe(1);
    await expectAccessible(c.page);
    await keepScreenshot(c.page, 'order');
  });

  it('tells of new orders and follows status changes from the event stream', async () => {
    await c.page.goto(`${c.base}/console/orders`);
    const news = c.page.locator('#orders-news');
    // The stream starts with the events that commit once it has joined: until the page has heard
    // of an order, each try submits another.
    await expect
      .poll(
        async () => {
          await submit(`PO-LIVE-${++submitted}`);
          return news.textContent();
        },
        { timeout: 30_000, interval: 200 },
      )
      .toMatch(/^\d+ new orders? — show them$/);

    const cancelled = await t.request({ method: 'POST', url: `/v1/orders/${ids['PO-3002']}/cancel`, key: adminKey, payload: {} });
    expect(cancelled.statusCode).toBe(200);
    const status = c.page.locator(`tr[data-order-id="${ids['PO-3002']}"] .order-status`);
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('cancelled');
    expect(await c.page.locator(`tr[data-order-id="${ids['PO-3002']}"]`).getAttribute('class')).toBe('changed');

    await news.getByRole('link').click();
    await c.page.waitForLoadState();
    expect(await c.page.getByRole('link', { name: `PO-LIVE-${submitted}` }).count()).toBe(1);
    await expectAccessible(c.page);
    expect(c.elsewhere).toEqual([]);
  });
});
