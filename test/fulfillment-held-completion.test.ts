import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repliesFor, type SimulatedReply } from '../cli/vendor-sim/replies.ts';
import type { FulfillmentRequest } from '../domain/fulfillment-request.ts';
import { adminKey, startTestApp, type TestApp } from './support/app.ts';
import { completePersonTasks, demoVendors } from './support/fulfillment.ts';

// Issue 10: a vendor that reports a ship task complete before its shipment. The complete is held
// (the mailbox answers `ignored`, saying so: the contract has no other outcome for it), the order
// is not billed, and the shipment, when it comes, applies the complete in its own transaction:
// the partner gets the 855, the 856s, then the 810, never an 856 after the 810.

const bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const identity = { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };

describe('a ship task completed before its shipment, through the mailbox', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  const post = async ({ messageId, reply }: SimulatedReply) => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/vendor/replies',
      key: adminKey,
      payload: { messageId, type: reply.type, body: reply.body },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('holds the complete until the ship arrives; then 855, 856, 856, 810 in that order', async () => {
    const acme = await t.partner('Acme', { x12: identity });
    const posted = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: acme.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: bundle,
    });
    expect(posted.statusCode).toBe(200);
    const [orderId] = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-7001', key: acme.key }))
      .json()
      .orders.map((o: { id: string }) => o.id);

    // Every vendor answers as the simulator does, except the vendor of line 1's ship task, which
    // sends its ack and its complete, and keeps the shipment back.
    let heldBack: { ship: SimulatedReply; complete: SimulatedReply } | undefined;
    for (let round = 0; round < 5; round += 1) {
      let answered = 0;
      for (const vendorId of demoVendors) {
        const { messages } = (await t.request({ method: 'GET', url: `/v1/vendor/tasks?vendorId=${vendorId}`, key: adminKey })).json();
        for (const message of messages as { type: string; body: FulfillmentRequest }[]) {
          if (message.type !== 'fulfillment.request.v1') continue;
          answered += 1;
          const replies = repliesFor(message.body);
          const late = message.body.taskType === 'ship' && message.body.line.lineNumber === '1';
          const ship = replies.find(({ reply }) => reply.type === 'fulfillment.ship.v1');
          const complete = replies.find(({ reply }) => reply.type === 'fulfillment.complete.v1');
          if (!late || ship === undefined || complete === undefined) {
            for (const reply of replies) await post(reply);
            continue;
          }
          heldBack = { ship, complete };
          for (const reply of replies.filter((candidate) => candidate !== ship)) {
            const answer = await post(reply);
            if (reply === complete) expect(answer).toEqual({ outcome: 'ignored', reason: expect.stringMatching(/^held: task 1:ship /) });
          }
          // The same complete again is a repeat.
          expect(await post(complete)).toEqual({ outcome: 'duplicate' });
        }
      }
      answered += await completePersonTasks(t, orderId, acme.key);
      if (answered === 0) break;
    }
    if (heldBack === undefined) throw new Error('line 1 had no ship task');

    // Everything else is done; the order waits for line 1's shipment.
    const waiting = (await t.request({ method: 'GET', url: `/v1/orders/${orderId}`, key: acme.key })).json();
    expect(waiting.status).toBe('partially_shipped');
    const tasks = (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/tasks`, key: acme.key })).json().tasks;
    expect(tasks.filter((task: { status: string }) => task.status !== 'done').map((task: { key: string }) => task.key)).toEqual(['1:ship']);
    const documents = async () =>
      (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound', key: acme.key }))
        .json()
        .documents.map((d: { type: string }) => d.type);
    expect(await documents()).toEqual(['997', '855', '856']);
    const inbox = () => t.database.db('inbox').where({ message_id: heldBack?.complete.messageId }).first('outcome', 'detail');
    expect(await inbox()).toMatchObject({ outcome: 'held', detail: { completion: { taskId: heldBack.complete.reply.body.taskId } } });

    // The shipment: recorded, told, the held complete applied and the order billed, all at once.
    expect(await post(heldBack.ship)).toEqual({ outcome: 'applied', orderStatus: 'ready_for_billing' });
    expect(await documents()).toEqual(['997', '855', '856', '856', '810']);
    expect(await inbox()).toMatchObject({ outcome: 'applied', detail: { heldUntil: expect.any(String) } });
    const events = await t.database
      .db('outbox')
      .where({ correlation_id: orderId })
      .whereIn('type', ['order.acknowledged.v1', 'order.shipped.v1', 'order.ready-for-billing.v1'])
      .orderBy('id')
      .pluck('type');
    expect(events).toEqual(['order.acknowledged.v1', 'order.shipped.v1', 'order.shipped.v1', 'order.ready-for-billing.v1']);
    const history = (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/events`, key: acme.key })).json().events;
    expect(history.map((e: { cause: string }) => e.cause)).toEqual(expect.arrayContaining(['task.completion-held']));
    // The cycle-time milestones (GET /v1/reports/cycle-times), the acknowledgment among them, each once
    // (the acknowledgment and the first shipment went out in one transaction: the same time).
    const milestones = ['order.approved', 'order.acknowledged', 'order.shipped', 'order.ready-for-billing'];
    const reached = history.filter((e: { cause: string }) => milestones.includes(e.cause));
    expect(reached.map((e: { cause: string }) => e.cause).sort()).toEqual([
      'order.acknowledged',
      'order.ready-for-billing',
      'order.shipped',
    ]);
    // The order's row keeps them as its history has them (migration 025), written by the pipeline's own statements.
    const at = (cause: string) => {
      const found = reached.find((e: { cause: string }) => e.cause === cause) as { at: string } | undefined;
      return found === undefined ? null : new Date(found.at).toISOString();
    };
    const row = await t.database
      .db('orders')
      .where({ id: orderId })
      .first('approved_at', 'acknowledged_at', 'first_shipment_at', 'ready_for_billing_at');
    expect(Object.values(row).map((value) => (value === null ? null : new Date(value as string).toISOString()))).toEqual([
      null,
      at('order.acknowledged'),
      at('order.shipped'),
      at('order.ready-for-billing'),
    ]);

    // Nothing more: the complete and the ship again are repeats.
    expect(await post(heldBack.complete)).toEqual({ outcome: 'duplicate' });
    expect(await post(heldBack.ship)).toEqual({ outcome: 'duplicate' });
    expect(await documents()).toEqual(['997', '855', '856', '856', '810']);
  });
});
