import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDeadLetter } from '../../adapters/db/index.ts';
import type { ApprovalGate } from '../../pipeline/approvals.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from '../support/app.ts';
import { expectAccessible, keepScreenshot, launchBrowser, openConsole, signIn, type ConsoleBrowser } from '../support/browser.ts';

// Every page a signed-in admin, partner and person can reach from the navigation (and one link
// further), in a real browser: each answers without a server error, passes axe-core's WCAG 2 A and
// AA rules, and loads nothing from any other host; on a phone's screen as well as a laptop's.

const gate: ApprovalGate = async (_tx, order) =>
  order.totals.amount < 10_000
    ? { required: false }
    : {
        required: true,
        reasons: [{ code: 'total-at-least', policy: 'big', detail: 'total is 10,000 or more' }],
        levels: [{ level: 1, name: 'sales', assignees: [{ role: 'sales-manager' }], mode: 'any', method: 'click' }],
      };

/** /console/orders/3f0c… → /console/orders/:id: one kind of page. */
const kindOf = (path: string): string =>
  path
    .split('?')[0]!
    .split('/')
    .map((segment, i) => (i > 2 && (/\d/.test(segment) || segment.length > 24) ? ':id' : segment))
    .join('/');

describe('console in a browser: every page', () => {
  let t: TestApp;
  let browser: Browser;
  let shop: { id: string; key: string };
  let personKey = '';

  beforeAll(async () => {
    t = await startTestApp('postgres', { server: { approvals: { gate } } });
    shop = await t.partner('Every page shop');
    const person = await t.request({
      method: 'POST',
      url: '/v1/people',
      key: adminKey,
      payload: { name: 'Sam Sales', email: 'sam@example.com', roles: ['sales-manager'] },
    });
    personKey = (await t.request({ method: 'POST', url: `/v1/people/${person.json().id}/api-keys`, key: adminKey })).json().key;
    for (const [ref, quantity] of [
      ['PO-<b>EVERY</b>-1', 2],
      ['PO-EVERY-2', 400],
    ] as const) {
      const res = await t.request({
        method: 'POST',
        url: '/v1/orders',
        key: shop.key,
        headers: { 'idempotency-key': ref },
        payload: {
          ...sampleOrder,
          externalRef: ref,
          lines: [{ lineNumber: '1', sku: 'MODEM-X1', quantity, uom: 'EA', unitPrice: 49.5 }, ...sampleOrder.lines.slice(1)],
        },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    await insertDeadLetter(t.database.db, {
      queue: 'ordergate.replies',
      messageId: 'm-1',
      type: 'fulfillment.ack.v1',
      correlationId: null,
      exchange: 'ordergate',
      routingKey: 'replies',
      reason: 'rejected: unknown task',
      headers: {},
      properties: {},
      body: Buffer.from('{"taskId":"<script>nope</script>"}'),
    } as never);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Visits every page reachable from the navigation and one link further (two of each kind). */
  async function visitAll(c: ConsoleBrowser, who: string): Promise<string[]> {
    const nav = await c.page
      .locator('nav[aria-label="Sections"] a')
      .evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).pathname));
    expect(nav.length, `${who} sees some sections`).toBeGreaterThan(0);
    const seen: string[] = [];
    const perKind = new Map<string, number>();
    const visit = async (path: string) => {
      const kind = kindOf(path);
      if (seen.includes(path) || (perKind.get(kind) ?? 0) >= 2) return [];
      perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
      seen.push(path);
      const response = await c.page.goto(`${c.base}${path}`);
      expect(response?.status() ?? 0, `${who}: ${path}`).toBeLessThan(500);
      await expectAccessible(c.page);
      return c.page
        .locator('main a[href^="/console/"]')
        .evaluateAll((links) =>
          links.map((a) => (a as HTMLAnchorElement).pathname + (a as HTMLAnchorElement).search).filter((href) => !/\.csv(\?|$)/.test(href)),
        );
    };
    for (const section of nav) for (const link of await visit(section)) await visit(link);
    expect(c.elsewhere, `${who}: requests to other hosts`).toEqual([]);
    return seen;
  }

  for (const [who, viewport] of [
    ['admin', { width: 1280, height: 900 }],
    ['admin on a phone', { width: 390, height: 844 }],
  ] as const)
    it(`${who}: every page answers, is accessible and loads only from the gateway`, async () => {
      const c = await openConsole(browser, t, viewport);
      try {
        await signIn(c, adminKey);
        const seen = await visitAll(c, who);
        expect(seen.length).toBeGreaterThanOrEqual(2);
        if (viewport.width < 500) {
          await c.page.goto(`${c.base}/console/work`);
          await keepScreenshot(c.page, 'work-phone');
          // Nothing wider than the phone's screen but what scrolls in its own box.
          const overflow = await c.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow).toBeLessThanOrEqual(0);
        }
      } finally {
        await c.close();
      }
    });

  it('a partner and a person: every page they can reach answers, is accessible and loads only from the gateway', async () => {
    for (const [who, key] of [
      ['partner', shop.key],
      ['person', personKey],
    ] as const) {
      const c = await openConsole(browser, t);
      try {
        await signIn(c, key);
        await visitAll(c, who);
      } finally {
        await c.close();
      }
    }
  });
});
