import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../adapters/amqp/test-support.ts';
import { startWorkers, type Workers } from '../app/workers.ts';
import { checkMessage } from '../adapters/contract/index.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';
import { withoutNetwork } from './support/nock.ts';

// A vendor registered as http gets each request POSTed to <baseUrl>/fulfillment-requests; a
// failure leaves the request in the outbox to be tried again later, never lost.

describe('HTTP vendors', () => {
  withoutNetwork();
  let t: TestApp;
  let workers: Workers;
  const errors: unknown[] = [];
  beforeAll(async () => {
    t = await startTestApp('postgres');
    workers = startWorkers({
      db: t.database.db,
      fulfillment: t.deps.fulfillment,
      log: { info: () => undefined, warn: () => undefined, error: (...args: unknown[]) => errors.push(args) },
      vendors: [],
      idleMs: 20,
      httpPolicy: { retries: 0, minTimeoutMs: 10, maxTimeoutMs: 10, timeoutMs: 2_000 },
      outbound: t.deps.outbound.endpoints,
    });
    const registered = await t.request({
      method: 'POST',
      url: '/v1/vendors',
      key: adminKey,
      payload: { id: 'vendor-b', name: 'Ports over HTTP', channel: 'http', baseUrl: 'https://ports.example.com/api/' },
    });
    expect(registered.statusCode).toBe(201);
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
  });

  const portRequests = (orderId: string) => t.database.db('outbox').where({ correlation_id: orderId, vendor_id: 'vendor-b' });

  it('POSTs the request with its ids in headers, and marks it sent and the task dispatched on a 2xx', async () => {
    const seen: { headers: Record<string, string | string[] | undefined>; body: unknown }[] = [];
    const scope = nock('https://ports.example.com')
      .post('/api/fulfillment-requests')
      .reply(function (_uri, body) {
        seen.push({ headers: this.req.headers, body });
        return [202, ''];
      });
    const partner = await t.partner('Http');
    const order = (
      await t.request({
        method: 'POST',
        url: '/v1/orders',
        key: partner.key,
        headers: { 'idempotency-key': 'http-1' },
        payload: { ...sampleOrder, externalRef: 'PO-HTTP' },
      })
    ).json();
    await waitUntil('the port request to be sent', async () =>
      (await portRequests(order.id)).every((r: { state: string }) => r.state === 'sent'),
    );
    expect(scope.isDone()).toBe(true);
    const [row] = await portRequests(order.id);
    expect(seen[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'message-id': row.message_id,
      'correlation-id': order.id,
      'message-type': 'fulfillment.request.v1',
    });
    expect(checkMessage('fulfillment.request.v1', seen[0]?.body)).toEqual([]);
    const tasks = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/tasks`, key: partner.key })).json().tasks;
    expect(tasks.find((task: { vendorId: string }) => task.vendorId === 'vendor-b').status).toBe('dispatched');
    // The other vendors are nobody's http: they wait in the mailbox.
    expect(tasks.find((task: { vendorId: string }) => task.vendorId === 'vendor-a').status).toBe('ready');
  });

  it('keeps a request the vendor refused, with the error, and sends it again later', async () => {
    nock('https://ports.example.com').post('/api/fulfillment-requests').reply(503, 'maintenance');
    const partner = await t.partner('Http2');
    const order = (
      await t.request({
        method: 'POST',
        url: '/v1/orders',
        key: partner.key,
        headers: { 'idempotency-key': 'http-2' },
        payload: { ...sampleOrder, externalRef: 'PO-HTTP-2' },
      })
    ).json();
    await waitUntil('the failed attempt to be recorded', async () => (await portRequests(order.id))[0]?.attempts === 1);
    const [failed] = await portRequests(order.id);
    expect(failed).toMatchObject({ state: 'pending', attempts: 1, last_error: 'HTTP 503: maintenance' });
    expect(new Date(failed.next_attempt_at).getTime()).toBeGreaterThan(Date.now());

    // Due again (as the back-off would make it), it goes out.
    const scope = nock('https://ports.example.com').post('/api/fulfillment-requests').reply(200, '');
    await t.database.db('outbox').where({ id: failed.id }).update({ next_attempt_at: t.database.db.fn.now() });
    await waitUntil('the retry to be sent', async () => (await portRequests(order.id))[0]?.state === 'sent');
    expect(scope.isDone()).toBe(true);
    expect(errors).toEqual([]);
  });
});
