import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCalendars, startCatalog } from '../../app/compose.ts';
import type { ApprovalLevel } from '../../domain/approval.ts';
import { noticeSettings } from '../../adapters/notify/index.ts';
import { levelNotice } from '../../pipeline/approval-notices.ts';
import type { ApprovalGate } from '../../pipeline/approvals.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from '../support/app.ts';
import { expectAccessible, keepScreenshot, launchBrowser, openConsole, signIn, type ConsoleBrowser } from '../support/browser.ts';

// My work in a real browser: an approver decides from the approval page, a field person claims and
// completes a task of the plan, and the orders move on exactly as through the API.

const review: ApprovalLevel = { level: 1, name: 'sales', assignees: [{ role: 'sales-manager' }], mode: 'any', method: 'click' };
const gate: ApprovalGate = async (_tx, order) =>
  order.totals.amount < 10_000
    ? { required: false }
    : { required: true, reasons: [{ code: 'total-at-least', policy: 'big', detail: 'total is 10,000 or more' }], levels: [review] };

describe('console in a browser: my work', () => {
  let t: TestApp;
  let browser: Browser;
  let c: ConsoleBrowser;
  let shop: { id: string; key: string };
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    const calendars = startCalendars(undefined);
    const catalog = startCatalog(calendars);
    catalog.skus['SITE-SURVEY'] = {
      tasks: [
        {
          name: 'survey',
          type: 'customer-action',
          person: true,
          role: 'field-desk',
          dependsOn: [],
          sla: 'P1D',
          slaMinutes: 1440,
          optional: false,
        },
      ],
    };
    const notices = noticeSettings({ publicBaseUrl: 'http://gateway.test', linkTtlMs: 86_400_000 }, Buffer.alloc(32, 7));
    t = await startTestApp('postgres', {
      catalog,
      server: { approvals: { gate, notice: levelNotice(notices) }, approvalLinks: { linkKey: notices.linkKey }, calendars },
    });
    shop = await t.partner('Work shop');
    for (const [name, roles] of [
      ['Alice Approver', ['sales-manager']],
      ['Fred Field', ['field-desk']],
    ] as const) {
      const person = await t.request({
        method: 'POST',
        url: '/v1/people',
        key: adminKey,
        payload: { name, email: `${name.split(' ')[0]}@example.com`, roles },
      });
      keys[name] = (await t.request({ method: 'POST', url: `/v1/people/${person.json().id}/api-keys`, key: adminKey })).json().key;
    }
    browser = await launchBrowser();
    c = await openConsole(browser, t);
  });
  afterAll(async () => {
    await c?.close();
    await browser?.close();
    await t?.close();
  });

  const submit = async (externalRef: string, lines: unknown[]) => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: shop.key,
      headers: { 'idempotency-key': externalRef },
      payload: { ...sampleOrder, externalRef, lines },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; status: string };
  };
  const statusOf = async (id: string) => (await t.request({ method: 'GET', url: `/v1/orders/${id}`, key: adminKey })).json().status;

  it('an approver opens the approval from the list, sees the order, and approves it with a comment', async () => {
    const big = await submit('PO-BIG-1', [{ lineNumber: '1', sku: 'MODEM-X1', quantity: 300, uom: 'EA', unitPrice: 49.5 }]);
    expect(big.status).toBe('pending_approval');
    await signIn(c, keys['Alice Approver'] ?? '');
    await c.page.goto(`${c.base}/console/work`);
    await expectAccessible(c.page);
    await keepScreenshot(c.page, 'work');
    await c.page.getByRole('link', { name: 'Decide' }).first().click();
    await expect.poll(() => c.page.getByRole('heading', { level: 1 }).textContent()).toBe('Order PO-BIG-1: approval');
    expect(await c.page.getByText('total is 10,000 or more').count()).toBe(1);
    expect(await c.page.getByText(/MODEM-X1: 300 EA/).count()).toBe(1);
    await expectAccessible(c.page);
    await keepScreenshot(c.page, 'approval');

    // A rejection without its reason is refused, and says why; nothing changes.
    await c.page.getByRole('button', { name: 'Reject order PO-BIG-1' }).click();
    await expect.poll(() => c.page.getByRole('alert').textContent()).toMatch(/comment/);
    expect(await statusOf(big.id)).toBe('pending_approval');

    await c.page.getByLabel('Comment (a rejection needs one)').fill('fine by sales');
    await c.page.getByRole('button', { name: 'Approve order PO-BIG-1' }).click();
    await expect.poll(() => c.page.getByRole('status').textContent()).toContain('You approved; the approval is approved.');
    expect(await statusOf(big.id)).toBe('decomposed');
    const approvals = (await t.request({ method: 'GET', url: `/v1/orders/${big.id}/approvals`, key: adminKey })).json().approvals;
    expect(approvals[0].decisions).toMatchObject([
      { decision: 'approve', comment: 'fine by sales', personName: 'Alice Approver', via: 'api' },
    ]);
    await c.page.getByRole('button', { name: 'Sign out' }).click();
    expect(c.elsewhere).toEqual([]);
  });

  it("a field person claims the plan's task and completes it: the order goes on", async () => {
    const survey = await submit('PO-SURVEY-1', [{ lineNumber: '1', sku: 'SITE-SURVEY', quantity: 1, uom: 'EA' }]);
    await signIn(c, keys['Fred Field'] ?? '');
    await c.page.goto(`${c.base}/console/work`);
    const row = c.page.getByRole('row').filter({ hasText: 'PO-SURVEY-1' });
    await row.getByRole('button', { name: /^Claim / }).click();
    await expect.poll(() => c.page.getByRole('status').textContent()).toContain('claimed');
    expect(await c.page.getByRole('row').filter({ hasText: 'PO-SURVEY-1' }).getByRole('cell', { name: 'you', exact: true }).count()).toBe(
      1,
    );
    await c.page
      .getByRole('row')
      .filter({ hasText: 'PO-SURVEY-1' })
      .getByLabel(/^Comment on /)
      .fill('site surveyed');
    await c.page
      .getByRole('row')
      .filter({ hasText: 'PO-SURVEY-1' })
      .getByRole('button', { name: /^Complete / })
      .click();
    await expect.poll(() => c.page.getByRole('status').textContent()).toContain('completed');
    expect(await statusOf(survey.id)).toBe('ready_for_billing');
    const [item] = (await t.request({ method: 'GET', url: `/v1/tasks?order=${survey.id}&status=done`, key: adminKey })).json().tasks;
    expect(item).toMatchObject({ status: 'done', comment: 'site surveyed' });
    expect(c.elsewhere).toEqual([]);
  });

  it("the approve link of the approval mail opens a page in the console's look, and deciding there counts", async () => {
    const big = await submit('PO-BIG-LINK', [{ lineNumber: '1', sku: 'MODEM-X1', quantity: 500, uom: 'EA', unitPrice: 49.5 }]);
    const [mail] = await t.database.db('notifications').where({ order_id: big.id, channel: 'email' }).select('text');
    const approve = /http:\/\/gateway\.test(\/a\/\S+)/.exec(String(mail?.text))?.[1] ?? '';
    expect(approve).not.toBe('');
    await c.page.goto(`${c.base}${approve}`);
    await expect.poll(() => c.page.getByRole('heading', { level: 1 }).textContent()).toBe('Order PO-BIG-LINK waits for your decision');
    expect(await c.page.locator('link[href="/console/assets/console.css"]').count()).toBe(1);
    await expectAccessible(c.page);
    await keepScreenshot(c.page, 'approval-link');
    await c.page.getByRole('button', { name: 'Approve order PO-BIG-LINK' }).click();
    await expect.poll(() => c.page.getByRole('heading', { level: 1 }).textContent()).toBe('Order PO-BIG-LINK: approved');
    expect(await statusOf(big.id)).toBe('decomposed');
    expect(c.elsewhere).toEqual([]);
  });
});
