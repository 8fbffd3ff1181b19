import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';
import { consoleSession, type ConsoleSession } from './support/console-inject.ts';

// The reports page: each report of GET /v1/reports/* as an SVG bar chart with its table, for the
// period of the form (the last 30 days unless it says otherwise), and each as CSV through the
// console, the same rows as the API answers the key signed in.

const day = (date: Date) => date.toISOString().slice(0, 10);

describe('console reports', () => {
  let t: TestApp;
  let acme: { id: string; key: string };
  let other: { id: string; key: string };
  let admin: ConsoleSession;
  const today = new Date();
  const tomorrow = day(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1)));
  const monthAgo = day(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 29)));

  beforeAll(async () => {
    t = await startTestApp('postgres');
    acme = await t.partner('Acme & <Co>');
    other = await t.partner('Other');
    for (const ref of ['PO-R1', 'PO-R2']) {
      const posted = await t.request({
        method: 'POST',
        url: '/v1/orders',
        key: acme.key,
        headers: { 'idempotency-key': ref },
        payload: { ...sampleOrder, externalRef: ref },
      });
      expect(posted.statusCode).toBe(201);
    }
    admin = await consoleSession(t, adminKey);
  });
  afterAll(async () => t?.close());

  it('defaults to the last 30 days and draws each report as a labelled SVG chart with its table', async () => {
    const page = await admin.get('/console/reports');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`name="from" value="${monthAgo}"`);
    expect(page.body).toContain(`name="to" value="${tomorrow}"`);
    const titles = [...page.body.matchAll(/<svg [^>]*role="img" aria-labelledby="([^"]+)">\s*<title id="\1">([^<]+)<\/title>/g)].map(
      (m) => m[2],
    );
    expect(titles).toEqual([
      'Orders received per day: 2 in the period',
      'Open orders and work items now, by age',
      expect.stringMatching(/^Cycle time per stage in \w+: median, 90th and 99th percentile$/),
      'Partner deadlines met and missed, per partner',
      'Approvals approved, rejected and pending, per partner',
    ]);
    // Throughput: one bar for today's two orders, and the same figure in the table under it.
    expect(page.body).toMatch(new RegExp(`<th scope="row">${day(today)}</th><td class="num">2</td>`));
    expect(page.body).toMatch(/<th scope="col" class="num">Orders<\/th>/);
    // Names are escaped in the tables (SLA and approvals per partner).
    expect(page.body).not.toContain('Acme & <Co>');
  });

  it('answers a period it cannot read with the reason, and no chart', async () => {
    const page = await admin.get('/console/reports?from=not-a-date');
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('is no ISO 8601 date');
    expect(page.body).not.toContain('<svg');
  });

  it('sends each report as CSV, an attachment holding the rows the API answers', async () => {
    const period = `from=${monthAgo}&to=${tomorrow}&period=day`;
    for (const [name, groupBy] of [
      ['throughput', ''],
      ['cycle-times', ''],
      ['sla', '&groupBy=partner'],
      ['approvals', '&groupBy=partner'],
    ] as const) {
      const csv = await admin.get(`/console/reports/${name}.csv?${period}`);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.headers['content-disposition']).toBe(`attachment; filename="${name}-${monthAgo}-${tomorrow}.csv"`);
      const api = await t.request({
        method: 'GET',
        url: `/v1/reports/${name}?${period}${groupBy}`,
        key: adminKey,
        headers: { accept: 'text/csv' },
      });
      expect(csv.body).toBe(api.body);
    }
    const throughput = await admin.get(`/console/reports/throughput.csv?${period}`);
    expect(throughput.body).toContain(`orders,${day(today)},api,decomposed,,,2`);
  });

  it('shows a partner only its own figures', async () => {
    const partner = await consoleSession(t, other.key);
    const page = await partner.get('/console/reports');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Orders received per day: 0 in the period');
    const csv = await partner.get('/console/reports/throughput.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toContain(`orders,${day(today)}`);
  });
});
