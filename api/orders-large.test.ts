import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test/support/app.ts';
import { databaseKinds } from '../test/support/databases.ts';

// Issue 12, finding 6: the largest order the schema takes (5,000 lines) is stored with its plan,
// its requests and its events, and read back whole, on PostgreSQL and on the embedded database.

const lineCount = 5_000;

/** 5,000 lines; every hundredth a bundle (INTERNET-100 with its modem and port). */
function largestOrder(externalRef: string) {
  const lines = Array.from({ length: lineCount }, (_v, i) => {
    const lineNumber = String(i + 1);
    if ((i + 1) % 100 !== 0)
      return { lineNumber, sku: `SKU-${i + 1}`, description: `Item ${i + 1}`, quantity: 1 + (i % 3), uom: 'EA', unitPrice: 2.5 };
    return {
      lineNumber,
      sku: 'INTERNET-100',
      quantity: 1,
      uom: 'EA',
      unitPrice: 59.99,
      components: [
        { lineNumber: `${lineNumber}.1`, sku: 'MODEM-X1', quantity: 1, uom: 'EA' },
        { lineNumber: `${lineNumber}.2`, sku: 'PORT-ACT', quantity: 1, uom: 'EA' },
      ],
    };
  });
  return { externalRef, orderDate: '2026-11-27', currency: 'USD', buyer: { name: 'Big buyer' }, lines };
}

describe.each(databaseKinds)('an order of 5,000 lines on %s', (kind) => {
  let t: TestApp;
  let partner: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp(kind, { bodyLimitBytes: 4 * 1024 * 1024 });
    partner = await t.partner('Big buyer');
  });
  afterAll(async () => t?.close());

  it('is stored with every line, task and request, and read back whole', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: partner.key,
      headers: { 'idempotency-key': `largest-${kind}` },
      payload: largestOrder('PO-LARGEST'),
    });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(201);
    const order = res.json();
    expect(order.status).toBe('decomposed');
    const bundles = lineCount / 100;
    // 4,950 plain lines with one task each; 50 bundles with a vendor task on each of their 2
    // components and the customer's activation (a person's task, blocked: no request).
    const tasks = lineCount - bundles + 3 * bundles;
    const requests = lineCount - bundles + 2 * bundles;

    const read = await t.request({ method: 'GET', url: `/v1/orders/${order.id}`, key: partner.key });
    expect(read.statusCode).toBe(200);
    const lines = read.json().lines;
    expect(lines).toHaveLength(lineCount);
    expect(lines.map((l: { lineNumber: string }) => l.lineNumber)).toEqual(Array.from({ length: lineCount }, (_v, i) => String(i + 1)));
    expect(lines[99].components.map((c: { lineNumber: string }) => c.lineNumber)).toEqual(['100.1', '100.2']);
    expect(read.json()).toEqual(order);

    const listed = await t.request({ method: 'GET', url: `/v1/orders/${order.id}/tasks`, key: partner.key });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().tasks).toHaveLength(tasks);
    expect(listed.json().tasks[0]).toMatchObject({ lineNumber: '1', status: 'ready' });

    const { db } = t.database;
    const sent = await db('outbox').where({ correlation_id: order.id, type: 'fulfillment.request.v1' }).count({ n: '*' });
    expect(Number(sent[0]?.n)).toBe(requests);
    const events = await db('order_events').where({ order_id: order.id }).orderBy('id').pluck('to_status');
    expect(events).toEqual(['received', 'decomposed']);
  }, 120_000);
});
