import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbound } from '../adapters/http/index.ts';
import { deliverDueWebhooks } from '../adapters/webhook/index.ts';
import type { FulfillmentRequest } from '../domain/fulfillment-request.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';

// Issue 15: when a vendor moves a line's date later than the partner had it, the partner's webhook
// receives order.delayed.v1 with the date before and the new one. The receiver is a real HTTP
// server on the loopback (the outbound policy lets webhooks reach 127.0.0.1 for this test only),
// and checks each delivery's Standard Webhooks signature as a partner would.

interface Received {
  type: string;
  data: Record<string, unknown>;
}

describe('order.delayed.v1', () => {
  let t: TestApp;
  let receiver: Server;
  let received: Received[] = [];
  let secret = '';
  let partner: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp('postgres', {
      server: { outbound: createOutbound({ allowHttp: true, allowHosts: [], allowCidrs: ['127.0.0.1/32'], webhooksUseAllowList: true }) },
    });
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        // Throws on a bad signature: the delivery then fails and the test with it.
        const event = new Webhook(secret).verify(body, req.headers as Record<string, string>) as Received;
        received.push(event);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((ready) => receiver.listen(0, '127.0.0.1', ready));
    partner = await t.partner('Delayed Goods Co');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const res = await t.request({
      method: 'POST',
      url: '/v1/webhooks/subscriptions',
      key: partner.key,
      payload: { url, eventTypes: ['order.delayed.v1'] },
    });
    expect(res.statusCode, res.body).toBe(201);
    secret = res.json().secret as string;
  });
  afterAll(async () => {
    await new Promise((done) => receiver?.close(done));
    await t?.close();
  });

  /** Delivers what is due and returns what the receiver got meanwhile. */
  async function deliver(): Promise<Received[]> {
    received = [];
    const run = await deliverDueWebhooks({ db: t.database.db, secrets: t.deps.secrets, outbound: t.deps.outbound.webhooks }, new Date());
    expect(run.delivered).toBe(run.attempted);
    return received;
  }

  let sequence = 0;
  const reply = async (type: string, body: Record<string, unknown>) => {
    sequence += 1;
    const res = await t.request({
      method: 'POST',
      url: '/v1/vendor/replies',
      key: adminKey,
      payload: { messageId: `delay-test-${sequence}`, type, body },
    });
    expect(res.statusCode, res.body).toBe(200);
  };

  /** The modem line (1, two units) asked to ship by 10 December and arrive by 12 December; its request as vendor A gets it. */
  async function order(ref: string): Promise<{ id: string; request: FulfillmentRequest }> {
    const lines = sampleOrder.lines.map((line) =>
      line.lineNumber === '1' ? { ...line, requestedShipDate: '2026-12-10', requestedDeliveryDate: '2026-12-12' } : line,
    );
    const res = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: partner.key,
      headers: { 'idempotency-key': ref },
      payload: { ...sampleOrder, externalRef: ref, lines },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    const tasks = await t.request({ method: 'GET', url: '/v1/vendor/tasks?vendorId=vendor-a', key: adminKey });
    const request = (tasks.json().messages as { body: FulfillmentRequest }[])
      .map((message) => message.body)
      .find((body) => body.orderId === id && body.line.lineNumber === '1');
    expect(request).toBeDefined();
    return { id, request: request as FulfillmentRequest };
  }

  const ack = (request: FulfillmentRequest, portions: { status: string; quantity: number; expectedDate?: string }[]) =>
    reply('fulfillment.ack.v1', {
      taskId: request.taskId,
      orderId: request.orderId,
      vendorId: request.vendorId,
      ackedAt: new Date().toISOString(),
      lines: portions.map((portion) => ({ lineNumber: '1', uom: 'EA', ...portion })),
    });

  const ship = (request: FulfillmentRequest, shipmentId: string, estimatedDeliveryDate: string) =>
    reply('fulfillment.ship.v1', {
      taskId: request.taskId,
      orderId: request.orderId,
      vendorId: request.vendorId,
      shipmentId,
      shippedAt: new Date().toISOString(),
      carrier: { scac: 'UPSN' },
      trackingNumber: `1Z${shipmentId}`,
      estimatedDeliveryDate,
      packages: [{ marks: `box ${shipmentId}`, items: [{ lineNumber: '1', quantity: 1, uom: 'EA' }] }],
    });

  const delayedInHistory = async (orderId: string) =>
    (
      (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/events`, key: partner.key })).json().events as {
        cause: string;
        detail: object;
      }[]
    )
      .filter((event) => event.cause === 'order.delayed')
      .map((event) => event.detail);

  it('tells the partner when a backorder puts the line after the ship date it asked for, and each time the vendor moves that date later', async () => {
    const { id, request } = await order('DELAY-1');
    const base = { orderId: id, partnerId: partner.id, externalRef: 'DELAY-1', lineNumber: '1', dateType: 'ship' };

    await ack(request, [
      { status: 'accepted', quantity: 1, expectedDate: '2026-12-09' },
      { status: 'backordered', quantity: 1, expectedDate: '2026-12-16' },
    ]);
    expect(await deliver()).toEqual([
      {
        type: 'order.delayed.v1',
        timestamp: expect.any(String),
        data: { ...base, previousDate: '2026-12-10', expectedDate: '2026-12-16', reason: 'backordered' },
      },
    ]);

    // The same answer with the backorder a day earlier: no delay, but it is the date the partner now has.
    await ack(request, [
      { status: 'accepted', quantity: 1, expectedDate: '2026-12-09' },
      { status: 'backordered', quantity: 1, expectedDate: '2026-12-15' },
    ]);
    expect(await deliver()).toEqual([]);
    await ack(request, [
      { status: 'accepted', quantity: 1, expectedDate: '2026-12-09' },
      { status: 'backordered', quantity: 1, expectedDate: '2026-12-20' },
    ]);
    expect(await deliver()).toEqual([
      {
        type: 'order.delayed.v1',
        timestamp: expect.any(String),
        data: { ...base, previousDate: '2026-12-15', expectedDate: '2026-12-20', reason: 'backordered' },
      },
    ]);
    // Not sent again for the same date.
    await ack(request, [
      { status: 'accepted', quantity: 1, expectedDate: '2026-12-09' },
      { status: 'backordered', quantity: 1, expectedDate: '2026-12-20' },
    ]);
    expect(await deliver()).toEqual([]);

    expect(await delayedInHistory(id)).toEqual([
      expect.objectContaining({ lineNumber: '1', previousDate: '2026-12-10', expectedDate: '2026-12-16', taskId: request.taskId }),
      expect.objectContaining({ lineNumber: '1', previousDate: '2026-12-15', expectedDate: '2026-12-20', taskId: request.taskId }),
    ]);
    const [line] = (await t.database.db('order_lines').where({ order_id: id, line_number: '1' }).select('ack')) as {
      ack: { expectedDate: string }[];
    }[];
    expect(line?.ack.map((portion) => portion.expectedDate)).toEqual(['2026-12-09', '2026-12-20']);
  });

  it('sends nothing for an answer on time, nor for a restatement that changes the quantities', async () => {
    const { id, request } = await order('DELAY-2');
    await ack(request, [{ status: 'accepted', quantity: 2, expectedDate: '2026-12-10' }]);
    await ack(request, [
      { status: 'accepted', quantity: 1, expectedDate: '2026-12-10' },
      { status: 'backordered', quantity: 1, expectedDate: '2027-01-30' },
    ]);
    expect(await deliver()).toEqual([]);
    expect(await delayedInHistory(id)).toEqual([]);
  });

  it("tells the partner when a shipment's delivery estimate is later than the earlier one, not when it is on time", async () => {
    const { id, request } = await order('DELAY-3');
    await ack(request, [{ status: 'accepted', quantity: 2, expectedDate: '2026-12-09' }]);
    // Before the delivery date asked for: nothing.
    await ship(request, 'S-1', '2026-12-11');
    expect(await deliver()).toEqual([]);
    await ship(request, 'S-2', '2026-12-22');
    expect(await deliver()).toEqual([
      {
        type: 'order.delayed.v1',
        timestamp: expect.any(String),
        data: {
          orderId: id,
          partnerId: partner.id,
          externalRef: 'DELAY-3',
          lineNumber: '1',
          dateType: 'delivery',
          previousDate: '2026-12-11',
          expectedDate: '2026-12-22',
          reason: 'delivery-date-later',
        },
      },
    ]);
    expect(await delayedInHistory(id)).toHaveLength(1);
  });
});
