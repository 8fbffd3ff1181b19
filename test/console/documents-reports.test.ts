import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, startTestApp, type TestApp } from '../support/app.ts';
import { expectAccessible, keepScreenshot, launchBrowser, openConsole, signIn, type ConsoleBrowser } from '../support/browser.ts';

// Documents and reports in a real Chromium: the admin finds a partner's 850 among the documents,
// reads it segment by segment, reads a cXML order re-indented without its secret, opens the
// reports and downloads one as CSV.

const bundle = readFileSync(new URL('../../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const cxmlSample = readFileSync(new URL('../../adapters/cxml/fixtures/samples/cxmlphp-OrderRequest.xml', import.meta.url), 'utf8');

describe('console in a browser: documents and reports', () => {
  let t: TestApp;
  let browser: Browser;
  let c: ConsoleBrowser;

  beforeAll(async () => {
    t = await startTestApp('postgres');
    const acme = await t.partner('Acme', { x12: { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' } });
    const posted = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: acme.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: bundle,
    });
    expect(posted.statusCode).toBe(200);
    await t.partner('Prominate', {
      cxml: { fromDomain: 'NetworkId', fromIdentity: 'inbound@prominate-platform.com', sharedSecret: 'coyote' },
    });
    const cxml = await t.request({ method: 'POST', url: '/v1/cxml', headers: { 'content-type': 'text/xml' }, payload: cxmlSample });
    expect(cxml.statusCode).toBe(200);
    browser = await launchBrowser();
    c = await openConsole(browser, t);
    await signIn(c, adminKey);
  });
  afterAll(async () => {
    await c?.close();
    await browser?.close();
    await t?.close();
  });

  it('lists the documents in and out, and opens the 850 one segment per line', async () => {
    await c.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Documents' }).click();
    await c.page.waitForURL((url) => url.pathname === '/console/documents');
    const the850 = c.page.getByRole('row').filter({ hasText: '850 Purchase Order' });
    await expect.poll(() => the850.count()).toBe(1);
    expect(await the850.textContent()).toContain('accepted, we sent 997');
    expect(await c.page.getByRole('row').filter({ hasText: '997 Functional Acknowledgment' }).count()).toBe(1);
    await expectAccessible(c.page);
    await keepScreenshot(c.page, 'documents');

    await the850.getByRole('link').first().click();
    await c.page.waitForURL((url) => url.pathname.startsWith('/console/documents/'));
    expect(await c.page.getByRole('heading', { level: 1 }).textContent()).toBe('850 Purchase Order from Acme');
    const beg = c.page.getByRole('row').filter({ hasText: 'Beginning Segment for Purchase Order' });
    expect(await beg.textContent()).toContain('BEG*00*SA*PO-7001**20261127~');
    expect(await c.page.getByRole('row').filter({ hasText: 'Baseline Item Data' }).count()).toBe(2);
    await expectAccessible(c.page);
    await keepScreenshot(c.page, 'document');
    // The download is the API's GET /v1/documents/{id}, with the session: the bytes as stored.
    const [download] = await Promise.all([
      c.page.waitForEvent('download'),
      c.page.getByRole('link', { name: 'Download it as stored' }).click(),
    ]);
    expect(readFileSync(await download.path(), 'utf8')).toBe(bundle);

    await c.page.getByRole('link', { name: 'All documents' }).click();
    await c.page.getByRole('row').filter({ hasText: 'cXML OrderRequest' }).getByRole('link').first().click();
    await c.page.waitForURL((url) => url.pathname.startsWith('/console/documents/'));
    const shown = await c.page.getByRole('region', { name: 'The document, re-indented' }).textContent();
    expect(shown).toContain('<SharedSecret>[redacted]</SharedSecret>');
    expect(shown).not.toContain('coyote');
    await expectAccessible(c.page);
    expect(c.elsewhere).toEqual([]);
  });

  it('shows the reports as charts with tables, and downloads one as CSV', async () => {
    await c.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Reports' }).click();
    await c.page.waitForURL((url) => url.pathname === '/console/reports');
    expect(await c.page.getByRole('img', { name: 'Orders received per day: 2 in the period' }).count()).toBe(1);
    expect(await c.page.getByRole('img', { name: /^Cycle time per stage/ }).count()).toBe(1);
    await expectAccessible(c.page);
    await keepScreenshot(c.page, 'reports');

    const [download] = await Promise.all([
      c.page.waitForEvent('download'),
      c.page.getByRole('link', { name: 'Download throughput as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^throughput-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\n')[0]).toBe('section,period,channel,status,kind,age,count');
    expect(csv).toMatch(/^orders,\d{4}-\d{2}-\d{2},x12,\w+,,,1$/m);
    expect(c.elsewhere).toEqual([]);
  });
});
