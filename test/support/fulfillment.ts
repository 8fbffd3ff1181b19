import { expect } from 'vitest';
import { repliesFor } from '../../cli/vendor-sim/replies.ts';
import type { FulfillmentRequest } from '../../domain/fulfillment-request.ts';
import { adminKey, type TestApp } from './app.ts';

// Driving an order to the end through the mailbox API, as vendors and a person would.

export const demoVendors = ['vendor-a', 'vendor-b', 'vendor-c'];

/** Every vendor's due requests, answered (ack, ship, complete), until none is left. */
export async function answerMailboxes(t: TestApp, vendors = demoVendors): Promise<number> {
  let answered = 0;
  for (;;) {
    let round = 0;
    for (const vendorId of vendors) {
      const res = await t.request({ method: 'GET', url: `/v1/vendor/tasks?vendorId=${vendorId}`, key: adminKey });
      expect(res.statusCode, res.body).toBe(200);
      for (const message of (res.json().messages as { messageId: string; type: string; body: FulfillmentRequest }[]).filter(
        (m) => m.type === 'fulfillment.request.v1',
      )) {
        for (const { messageId, reply } of repliesFor(message.body)) {
          const posted = await t.request({
            method: 'POST',
            url: '/v1/vendor/replies',
            key: adminKey,
            payload: { messageId, type: reply.type, body: reply.body },
          });
          expect(posted.statusCode, posted.body).toBe(200);
        }
        round += 1;
      }
    }
    answered += round;
    if (round === 0) return answered;
  }
}

/** Completes every ready person task of the order; returns how many. */
export async function completePersonTasks(t: TestApp, orderId: string, key: string): Promise<number> {
  const tasks = (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/tasks`, key })).json().tasks as {
    id: string;
    person: boolean;
    status: string;
  }[];
  const ready = tasks.filter((task) => task.person && task.status === 'ready');
  for (const task of ready) {
    const res = await t.request({ method: 'POST', url: `/v1/tasks/${task.id}/complete`, key });
    expect(res.statusCode, res.body).toBe(200);
  }
  return ready.length;
}
