import { expect } from 'vitest';
import { sscc } from '../../cli/vendor-sim/replies.ts';
import type { LineAck } from '../../domain/acknowledgment.ts';
import type { FulfillmentRequest } from '../../domain/fulfillment-request.ts';
import type { VendorReply } from '../../domain/vendor-reply.ts';
import { adminKey, type TestApp } from './app.ts';

// A vendor that answers each line as its script says: the ack's portions, then shipments of the
// quantities given, then complete; or a final failure. Lines are found by their SKU.

export interface LineScript {
  portions: Omit<LineAck, 'lineNumber' | 'uom'>[];
  /** Quantities shipped, one shipment each, in order. */
  shipments: number[];
  /** Fails the task for good after the ack and the shipments. */
  fail?: true;
}

function repliesOf(request: FulfillmentRequest, script: LineScript): { messageId: string; reply: VendorReply }[] {
  const base = { taskId: request.taskId, orderId: request.orderId, vendorId: request.vendorId };
  const { lineNumber, uom } = request.line;
  const at = '2026-12-06T10:00:00.000Z';
  const id = (step: string) => `${request.taskId}-${step}`;
  const replies: { messageId: string; reply: VendorReply }[] = [
    {
      messageId: id('ack'),
      reply: { type: 'fulfillment.ack.v1', body: { ...base, ackedAt: at, lines: script.portions.map((p) => ({ lineNumber, uom, ...p })) } },
    },
  ];
  script.shipments.forEach((quantity, i) => {
    const shipmentId = `SH-${request.line.sku ?? lineNumber}-${i + 1}`;
    replies.push({
      messageId: id(`ship-${i}`),
      reply: {
        type: 'fulfillment.ship.v1',
        body: {
          ...base,
          shipmentId,
          shippedAt: at,
          carrier: { scac: 'UPSN', name: 'UPS' },
          trackingNumber: `1Z${shipmentId.replace(/[^A-Z0-9]/g, '')}`,
          serviceLevel: 'G2',
          estimatedDeliveryDate: '2026-12-09',
          packages: [{ sscc: sscc(`${request.taskId}-${i}`), items: [{ lineNumber, quantity, uom }] }],
        },
      },
    });
  });
  replies.push(
    script.fail === true
      ? {
          messageId: id('fail'),
          reply: {
            type: 'fulfillment.fail.v1',
            body: { ...base, failedAt: at, code: 'not-serviceable', reason: 'the address cannot be served', retryable: false },
          },
        }
      : { messageId: id('complete'), reply: { type: 'fulfillment.complete.v1', body: { ...base, completedAt: at } } },
  );
  return replies;
}

/** Answers every due request of `vendorId` by its line's script, until none is left; a reply refused fails the test. */
export async function answerByScript(t: TestApp, scripts: Readonly<Record<string, LineScript>>, vendorId = 'vendor-a'): Promise<void> {
  for (;;) {
    const res = await t.request({ method: 'GET', url: `/v1/vendor/tasks?vendorId=${vendorId}`, key: adminKey });
    expect(res.statusCode, res.body).toBe(200);
    const requests = (res.json().messages as { type: string; body: FulfillmentRequest }[]).filter(
      (m) => m.type === 'fulfillment.request.v1',
    );
    if (requests.length === 0) return;
    for (const { body } of requests) {
      const script = scripts[body.line.sku ?? ''];
      if (script === undefined) throw new Error(`no script for ${body.line.sku ?? body.line.lineNumber}`);
      for (const { messageId, reply } of repliesOf(body, script)) {
        const posted = await t.request({
          method: 'POST',
          url: '/v1/vendor/replies',
          key: adminKey,
          payload: { messageId, type: reply.type, body: reply.body },
        });
        expect(posted.statusCode, posted.body).toBe(200);
      }
    }
  }
}
