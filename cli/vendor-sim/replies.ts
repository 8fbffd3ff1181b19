import { createHash } from 'node:crypto';
import type { FulfillmentRequest } from '../../domain/fulfillment-request.ts';
import type { VendorReply } from '../../domain/vendor-reply.ts';

// What a well-behaved vendor answers to one request: ack, then (for a ship task) a shipment, then
// complete. Message ids are derived from the task and the step, so a simulator that answers the
// same request twice sends the same ids and the gateway drops the repeat, as a real vendor would.

export interface SimulatedReply {
  messageId: string;
  reply: VendorReply;
}

export interface ReplyOptions {
  at?: Date;
  /** Fail the task instead of doing it: retryable or for good. */
  fail?: 'retryable' | 'final';
}

const stableId = (...parts: string[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

/** An SSCC-18: extension digit, a GS1 company prefix and serial from the task, and the mod-10 check digit. */
export function sscc(seed: string): string {
  const digits = `0${BigInt(`0x${stableId(seed)}`)
    .toString()
    .padStart(16, '0')
    .slice(-16)}`;
  const sum = [...digits].reverse().reduce((total, digit, index) => total + Number(digit) * (index % 2 === 0 ? 3 : 1), 0);
  return `${digits}${(10 - (sum % 10)) % 10}`;
}

export function repliesFor(request: FulfillmentRequest, options: ReplyOptions = {}): SimulatedReply[] {
  const at = (options.at ?? new Date()).toISOString();
  const base = { taskId: request.taskId, orderId: request.orderId, vendorId: request.vendorId };
  const id = (step: string) => stableId(request.vendorId, request.taskId, step);
  const { line } = request;
  if (options.fail !== undefined) {
    const retryable = options.fail === 'retryable';
    return [
      {
        messageId: id(`fail-${options.fail}`),
        reply: {
          type: 'fulfillment.fail.v1',
          body: {
            ...base,
            failedAt: at,
            code: retryable ? 'capacity' : 'not-serviceable',
            reason: retryable ? 'no capacity today; try again later' : 'the address cannot be served',
            retryable,
          },
        },
      },
    ];
  }
  const replies: SimulatedReply[] = [
    {
      messageId: id('ack'),
      reply: {
        type: 'fulfillment.ack.v1',
        body: {
          ...base,
          ackedAt: at,
          lines: [{ lineNumber: line.lineNumber, status: 'accepted', quantity: line.quantity, uom: line.uom }],
        },
      },
    },
  ];
  if (request.taskType === 'ship') {
    replies.push({
      messageId: id('ship'),
      reply: {
        type: 'fulfillment.ship.v1',
        body: {
          ...base,
          shipmentId: `SH-${id('shipment').slice(0, 10).toUpperCase()}`,
          shippedAt: at,
          carrier: { scac: 'UPSN', name: 'UPS' },
          trackingNumber: `1Z${id('tracking').slice(0, 16).toUpperCase()}`,
          serviceLevel: 'G2',
          packages: [{ sscc: sscc(request.taskId), items: [{ lineNumber: line.lineNumber, quantity: line.quantity, uom: line.uom }] }],
        },
      },
    });
  }
  replies.push({ messageId: id('complete'), reply: { type: 'fulfillment.complete.v1', body: { ...base, completedAt: at } } });
  return replies;
}
