import type { LineAck } from './acknowledgment.ts';
import type { Shipment } from './shipment.ts';

// The replies a vendor sends about one task (asyncapi.yaml: FulfillmentAck, FulfillmentShip,
// FulfillmentProgress, FulfillmentComplete, FulfillmentFail). Their shape is checked against the
// contract before they get here; what they mean for the order is domain/fulfillment-progress.ts.

export const replyTypes = [
  'fulfillment.ack.v1',
  'fulfillment.ship.v1',
  'fulfillment.progress.v1',
  'fulfillment.complete.v1',
  'fulfillment.fail.v1',
] as const;

export type ReplyType = (typeof replyTypes)[number];

export const isReplyType = (type: string): type is ReplyType => (replyTypes as readonly string[]).includes(type);

/** `ack` for `fulfillment.ack.v1`: the middle word, also the last word of the reply's routing key. */
export const replyKind = (type: ReplyType): string => type.split('.')[1] as string;

interface ReplyBase {
  taskId: string;
  orderId: string;
  vendorId: string;
}

/** A vendor answers a line as the seller's acknowledgment does (domain/acknowledgment.ts). */
export type VendorLineAck = LineAck;

export interface LineQuantity {
  lineNumber: string;
  sku?: string;
  quantity: number;
  uom: string;
}

export type VendorReply =
  | { type: 'fulfillment.ack.v1'; body: ReplyBase & { vendorRef?: string; ackedAt: string; lines: VendorLineAck[] } }
  | { type: 'fulfillment.ship.v1'; body: ReplyBase & Shipment }
  | {
      type: 'fulfillment.progress.v1';
      body: ReplyBase & { occurredAt: string; stage: string; percent?: number; expectedCompletionAt?: string; note?: string };
    }
  | { type: 'fulfillment.complete.v1'; body: ReplyBase & { completedAt: string; lines?: LineQuantity[]; note?: string } }
  | {
      type: 'fulfillment.fail.v1';
      body: ReplyBase & { failedAt: string; code: string; reason: string; retryable: boolean; retryAfter?: string; lines?: string[] };
    };

/** A person finishing a task of theirs (from the task list), which moves the order like a vendor's `complete`. */
export interface PersonCompletion {
  type: 'task.completed-by-person';
  body: { taskId: string };
}

export type TaskEvent = VendorReply | PersonCompletion;
