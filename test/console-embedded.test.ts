import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';
import { consoleSession } from './support/console-inject.ts';

// The console on the embedded database (PGlite), as `npm start` runs it with nothing installed:
// every section and an order's page answer, with an order, its document and its task list stored.

describe('console on the embedded database', () => {
  let t: TestApp;
  let orderId = '';

  beforeAll(async () => {
    t = await startTestApp('pglite');
    const shop = await t.partner('Embedded shop');
    const created = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: shop.key,
      headers: { 'idempotency-key': 'e-1' },
      payload: sampleOrder,
    });
    expect(created.statusCode, created.body).toBe(201);
    orderId = created.json().id;
  });
  afterAll(async () => t?.close());

  it('answers every section and the order page for the admin', async () => {
    const admin = await consoleSession(t, adminKey);
    const documents = (await t.request({ method: 'GET', url: `/v1/documents?limit=1`, key: adminKey })).json().documents;
    for (const url of [
      '/console/orders',
      '/console/orders?sort=newest&q=PO',
      `/console/orders/${orderId}`,
      '/console/documents',
      `/console/documents/${documents[0].id}`,
      '/console/work',
      '/console/operations',
      '/console/operations/dead-letters',
      '/console/operations/webhooks',
      '/console/operations/partners',
      '/console/reports',
    ]) {
      const page = await admin.get(url);
      expect(page.statusCode, `${url}: ${page.body.slice(page.body.indexOf('<main'), page.body.indexOf('<main') + 300)}`).toBe(200);
    }
    expect((await admin.get('/console/orders')).body).toContain(sampleOrder.externalRef);
  });
});
