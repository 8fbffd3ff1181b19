import { readFileSync } from 'node:fs';
import { X12Parser } from 'node-x12';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';
import { checkMessage } from '../adapters/contract/index.ts';
import { repliesFor } from '../cli/vendor-sim/replies.ts';
import { answerMailboxes, completePersonTasks } from './support/fulfillment.ts';

// Without RabbitMQ every demo vendor is served through the mailbox: an order goes from received to
// ready for billing with vendors pulling requests and posting replies over the API.

const bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const identity = { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };

const segments = (text: string) => tokenize(text).flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, ...e.segment.elements]] : []));

describe('fulfillment through the mailbox', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  const drive = async (orderId: string, key: string) => {
    for (let round = 0; round < 5; round += 1) {
      const answered = await answerMailboxes(t);
      const completed = await completePersonTasks(t, orderId, key);
      if (answered === 0 && completed === 0) break;
    }
    return (await t.request({ method: 'GET', url: `/v1/orders/${orderId}`, key })).json();
  };

  it('takes the seed bundle as an X12 850 to ready for billing, with the 997, 855, two 856s and the 810 in the partner mailbox', async () => {
    const acme = await t.partner('Acme', { x12: identity });
    const ack = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: acme.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: bundle,
    });
    expect(ack.statusCode).toBe(200);
    const [orderId] = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-7001', key: acme.key }))
      .json()
      .orders.map((o: { id: string }) => o.id);

    const order = await drive(orderId, acme.key);
    expect(order.status).toBe('ready_for_billing');
    const tasks = (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/tasks`, key: acme.key })).json().tasks;
    expect(tasks.every((task: { status: string }) => task.status === 'done')).toBe(true);

    const events = (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/events`, key: acme.key })).json().events;
    expect(events.filter((e: { from: string; to: string }) => e.from !== e.to).map((e: { to: string }) => e.to)).toEqual([
      'received',
      'decomposed',
      'in_fulfillment',
      'partially_shipped',
      'fulfilled',
      'ready_for_billing',
    ]);

    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound', key: acme.key })).json().documents;
    expect(docs.map((d: { type: string }) => d.type)).toEqual(['997', '855', '856', '856', '810']);
    for (const doc of docs) {
      const body = (
        await t.request({ method: 'GET', url: `/v1/documents/${doc.id}`, key: acme.key, headers: { accept: 'application/edi-x12' } })
      ).body;
      expect(tokenize(body).filter((e) => e.kind === 'garbage')).toEqual([]);
      expect(() => new X12Parser(true).parse(body)).not.toThrow();
      if (doc.type === '855') {
        // Every line of the order, the bundle's components one by one, all accepted.
        const acks = segments(body).filter((s) => s[0] === 'ACK');
        expect(acks.length).toBe(5);
        expect(acks.every((s) => s[1] === 'IA')).toBe(true);
      }
      if (doc.type === '810') expect(segments(body).filter((s) => s[0] === 'IT1').length).toBeGreaterThan(0);
    }
  });

  it('answers a JSON order with webhook events only, and repeats change nothing', async () => {
    const shop = await t.partner('Shop');
    const created = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: shop.key,
      headers: { 'idempotency-key': 'mbx-1' },
      payload: { ...sampleOrder, externalRef: 'PO-MBX' },
    });
    expect(created.statusCode).toBe(201);
    const orderId = created.json().id;
    const order = await drive(orderId, shop.key);
    expect(order.status).toBe('ready_for_billing');
    const events = await t.database
      .db('outbox')
      .where({ correlation_id: orderId })
      .whereIn('type', ['order.acknowledged.v1', 'order.shipped.v1', 'order.ready-for-billing.v1'])
      .orderBy('id')
      .pluck('type');
    expect(events).toEqual(['order.acknowledged.v1', 'order.shipped.v1', 'order.shipped.v1', 'order.ready-for-billing.v1']);
    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound', key: shop.key })).json().documents;
    expect(docs).toEqual([]);

    // The mailboxes are empty, every request settled.
    // Every reply sent again: each is a repeat, and nothing more is written.
    const before = await t.database.db('order_events').where({ order_id: orderId }).count('* as n').first();
    const requests = await t.database.db('outbox').where({ correlation_id: orderId, type: 'fulfillment.request.v1' }).pluck('payload');
    for (const request of requests) {
      for (const { messageId, reply } of repliesFor(request)) {
        const again = await t.request({
          method: 'POST',
          url: '/v1/vendor/replies',
          key: adminKey,
          payload: { messageId, type: reply.type, body: reply.body },
        });
        expect(again.json()).toEqual({ outcome: 'duplicate' });
      }
    }
    expect(await t.database.db('order_events').where({ order_id: orderId }).count('* as n').first()).toEqual(before);
    const pending = await t.database
      .db('outbox')
      .where({ correlation_id: orderId, state: 'pending' })
      .whereNotNull('vendor_id')
      .count('* as n')
      .first();
    expect(Number(pending?.n)).toBe(0);
  });

  it("refuses a reply that breaks the contract, naming the field, and one for another vendor's task", async () => {
    const shop = await t.partner('Strict');
    const created = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: shop.key,
      headers: { 'idempotency-key': 'mbx-2' },
      payload: { ...sampleOrder, externalRef: 'PO-STRICT' },
    });
    const [message] = (await t.request({ method: 'GET', url: '/v1/vendor/tasks?vendorId=vendor-b', key: adminKey })).json().messages;
    expect(message.body.orderId === created.json().id || message.body.orderId !== undefined).toBe(true);
    const broken = await t.request({
      method: 'POST',
      url: '/v1/vendor/replies',
      key: adminKey,
      payload: {
        messageId: 'x-1',
        type: 'fulfillment.ack.v1',
        body: { taskId: message.body.taskId, orderId: message.body.orderId, vendorId: 'vendor-b', ackedAt: 'yesterday', lines: [] },
      },
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ pointer: '/body/ackedAt' }), expect.objectContaining({ pointer: '/body/lines' })]),
    );
    const stolen = await t.request({
      method: 'POST',
      url: '/v1/vendor/replies',
      key: adminKey,
      payload: {
        messageId: 'x-2',
        type: 'fulfillment.complete.v1',
        body: { taskId: message.body.taskId, orderId: message.body.orderId, vendorId: 'vendor-a', completedAt: new Date().toISOString() },
      },
    });
    expect(stolen.statusCode).toBe(422);
    // Answered as a task that does not exist: nothing of vendor-b's task (its key, its order) is told.
    expect(stolen.json()).toMatchObject({ code: 'reply-refused', detail: `unknown-task: there is no task ${message.body.taskId}` });
  });

  it('tells a vendor that took a task of a cancelled order, once, with fulfillment.cancel.v1', async () => {
    const shop = await t.partner('Regretful');
    const orderId = (
      await t.request({
        method: 'POST',
        url: '/v1/orders',
        key: shop.key,
        headers: { 'idempotency-key': 'mbx-5' },
        payload: { ...sampleOrder, externalRef: 'PO-REGRET' },
      })
    ).json().id;
    // vendor-b takes its request; vendor-a's stay in the mailbox.
    const taken = (await t.request({ method: 'GET', url: '/v1/vendor/tasks?vendorId=vendor-b', key: adminKey }))
      .json()
      .messages.filter((m: { correlationId: string }) => m.correlationId === orderId);
    expect(taken).toHaveLength(1);
    expect((await t.request({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, key: shop.key })).statusCode).toBe(200);
    const told = (await t.request({ method: 'GET', url: '/v1/vendor/tasks?vendorId=vendor-b', key: adminKey }))
      .json()
      .messages.filter((m: { correlationId: string }) => m.correlationId === orderId);
    expect(told).toEqual([
      expect.objectContaining({
        type: 'fulfillment.cancel.v1',
        routingKey: 'vendor.vendor-b.cancel',
        body: expect.objectContaining({ taskId: taken[0].body.taskId, reason: 'order cancelled' }),
      }),
    ]);
    expect(checkMessage('fulfillment.cancel.v1', told[0].body)).toEqual([]);
    // Handed out once: no answer is expected, so it does not come back.
    const again = (await t.request({ method: 'GET', url: '/v1/vendor/tasks?vendorId=vendor-b', key: adminKey }))
      .json()
      .messages.filter((m: { correlationId: string }) => m.correlationId === orderId);
    expect(again).toEqual([]);
    // vendor-a never had its requests: nothing to call off.
    const a = (await t.request({ method: 'GET', url: '/v1/vendor/tasks?vendorId=vendor-a', key: adminKey }))
      .json()
      .messages.filter((m: { correlationId: string }) => m.correlationId === orderId);
    expect(a).toEqual([]);
  });

  it('cancels the open tasks of a cancelled order and drops its requests still waiting', async () => {
    const shop = await t.partner('Fickle');
    const created = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: shop.key,
      headers: { 'idempotency-key': 'mbx-3' },
      payload: { ...sampleOrder, externalRef: 'PO-CANCEL' },
    });
    const orderId = created.json().id;
    expect((await t.request({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, key: shop.key })).statusCode).toBe(200);
    const tasks = (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/tasks`, key: shop.key })).json().tasks;
    expect(tasks.map((task: { status: string }) => task.status)).toEqual(tasks.map(() => 'cancelled'));
    const requests = await t.database
      .db('outbox')
      .where({ correlation_id: orderId, type: 'fulfillment.request.v1' })
      .select('state', 'last_error');
    expect(requests.length).toBeGreaterThan(0);
    expect(requests).toEqual(requests.map(() => ({ state: 'dead', last_error: 'order cancelled' })));
    for (const vendorId of ['vendor-a', 'vendor-b']) {
      const { messages } = (await t.request({ method: 'GET', url: `/v1/vendor/tasks?vendorId=${vendorId}`, key: adminKey })).json();
      expect(messages.filter((m: { correlationId: string }) => m.correlationId === orderId)).toEqual([]);
    }
  });

  it('ends the open work of an order a vendor fails for good: tasks cancelled, requests dropped, vendors with a task told', async () => {
    const shop = await t.partner('Unlucky');
    const orderId = (
      await t.request({
        method: 'POST',
        url: '/v1/orders',
        key: shop.key,
        headers: { 'idempotency-key': 'mbx-6' },
        payload: { ...sampleOrder, externalRef: 'PO-UNLUCKY' },
      })
    ).json().id;
    const lease = async (vendorId: string) =>
      (await t.request({ method: 'GET', url: `/v1/vendor/tasks?vendorId=${vendorId}`, key: adminKey }))
        .json()
        .messages.filter((m: { correlationId: string }) => m.correlationId === orderId);
    const takenByA = await lease('vendor-a');
    const [request] = (await lease('vendor-b')).map((m: { body: unknown }) => m.body);
    expect(takenByA.length).toBeGreaterThan(0);
    const [failure] = repliesFor(request, { fail: 'final' });
    if (failure === undefined) throw new Error('the simulator wrote no failure');
    const posted = await t.request({
      method: 'POST',
      url: '/v1/vendor/replies',
      key: adminKey,
      payload: { messageId: failure.messageId, type: failure.reply.type, body: failure.reply.body },
    });
    expect(posted.json()).toMatchObject({ outcome: 'applied', orderStatus: 'failed' });
    const reason = 'order failed: order.fulfillment-failed';
    const tasks: { id: string; status: string }[] = (
      await t.request({ method: 'GET', url: `/v1/orders/${orderId}/tasks`, key: shop.key })
    ).json().tasks;
    expect(tasks.map((task) => task.status)).toEqual(tasks.map((task) => (task.id === request.taskId ? 'failed' : 'cancelled')));
    // vendor-a had its requests in hand (leased, not answered): they are dropped, and it is told.
    const requestsOfA = await t.database
      .db('outbox')
      .where({ correlation_id: orderId, type: 'fulfillment.request.v1', vendor_id: 'vendor-a' })
      .select('state', 'last_error');
    expect(requestsOfA).toEqual(takenByA.map(() => ({ state: 'dead', last_error: reason })));
    const told = await lease('vendor-a');
    expect(told.map((m: { body: { taskId: string } }) => m.body.taskId).sort()).toEqual(
      takenByA.map((m: { body: { taskId: string } }) => m.body.taskId).sort(),
    );
    for (const message of told) {
      expect(message).toMatchObject({
        type: 'fulfillment.cancel.v1',
        routingKey: 'vendor.vendor-a.cancel',
        body: { orderId, vendorId: 'vendor-a', reason },
      });
      expect(checkMessage('fulfillment.cancel.v1', message.body)).toEqual([]);
    }
    // The vendor that failed the task is not told about it.
    expect(await lease('vendor-b')).toEqual([]);
    expect(await t.database.db('outbox').where({ correlation_id: orderId, type: 'order.failed.v1' }).pluck('payload')).toEqual([
      expect.objectContaining({ orderId, taskId: request.taskId, code: 'not-serviceable' }),
    ]);
  });

  it('sends a task again after a retryable failure, no earlier than the vendor asked, and counts it', async () => {
    const shop = await t.partner('Retry');
    const orderId = (
      await t.request({
        method: 'POST',
        url: '/v1/orders',
        key: shop.key,
        headers: { 'idempotency-key': 'mbx-4' },
        payload: { ...sampleOrder, externalRef: 'PO-RETRY' },
      })
    ).json().id;
    const { messages } = (await t.request({ method: 'GET', url: '/v1/vendor/tasks?vendorId=vendor-b', key: adminKey })).json();
    const request = messages.find((m: { correlationId: string }) => m.correlationId === orderId).body;
    const [failure] = repliesFor(request, { fail: 'retryable' });
    if (failure === undefined) throw new Error('the simulator wrote no failure');
    const { messageId, reply } = failure;
    const retryAfter = new Date(Date.now() + 3_600_000).toISOString();
    const posted = await t.request({
      method: 'POST',
      url: '/v1/vendor/replies',
      key: adminKey,
      payload: { messageId, type: reply.type, body: { ...reply.body, retryAfter } },
    });
    expect(posted.json()).toMatchObject({ outcome: 'applied', orderStatus: 'in_fulfillment' });
    const task = await t.database.db('tasks').where({ id: request.taskId }).first('status', 'retries');
    expect(task).toEqual({ status: 'ready', retries: 1 });
    const requests = await t.database
      .db('outbox')
      .where({ task_id: request.taskId })
      .orderBy('id')
      .select('state', 'next_attempt_at', 'message_id');
    expect(requests.map((r: { state: string }) => r.state)).toEqual(['sent', 'pending']);
    expect(new Date(requests[1].next_attempt_at).toISOString()).toBe(retryAfter);
    // A new message id: the vendor's inbox must not take it for the first request again.
    expect(requests[1].message_id).not.toBe(requests[0].message_id);
  });

  it('gives a registered mailbox vendor its own key, which reads only its own mailbox', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/v1/vendors',
      key: adminKey,
      payload: { id: 'vendor-m', name: 'Mailbox vendor', channel: 'mailbox' },
    });
    expect(created.statusCode).toBe(201);
    const { apiKey } = created.json();
    expect((await t.request({ method: 'GET', url: '/v1/vendor/tasks', key: apiKey })).json()).toEqual({ messages: [] });
    expect((await t.request({ method: 'GET', url: '/v1/vendor/tasks?vendorId=vendor-a', key: apiKey })).statusCode).toBe(403);
    expect((await t.request({ method: 'GET', url: '/v1/orders', key: apiKey })).statusCode).toBe(403);
    expect(
      (
        await t.request({
          method: 'POST',
          url: '/v1/vendors',
          key: adminKey,
          payload: { id: 'vendor-m', name: 'Again', channel: 'mailbox' },
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (
        await t.request({ method: 'POST', url: '/v1/vendors', key: adminKey, payload: { id: 'vendor-h', name: 'No URL', channel: 'http' } })
      ).json(),
    ).toMatchObject({ errors: [{ pointer: '/baseUrl' }] });
  });
});
