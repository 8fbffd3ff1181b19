import type { PartnerAnswer } from './fulfillment-progress.ts';
import type { ResolvedItem, UnresolvedItem } from './item-resolution.ts';
import type { LineDelay } from './line-delay.ts';
import type { Channel, StoredOrder } from './order.ts';
import type { OrderStatus } from './order-status.ts';
import type { OutboxMessage } from './outbox-message.ts';

/**
 * The outbox messages a partner can subscribe to (webhooks out). Everything else in the outbox is
 * for vendors or the gateway itself and is never offered to a partner.
 */
export const partnerEventTypes = [
  'order.received.v1',
  'order.cancelled.v1',
  'document.stored.v1',
  'order.acknowledged.v1',
  'order.shipped.v1',
  'order.ready-for-billing.v1',
  'order.failed.v1',
  'order.held.v1',
  'order.resumed.v1',
  'order.rejected.v1',
  'document.ack-overdue.v1',
  'document.not-written.v1',
  'order.delayed.v1',
] as const;

export type PartnerEventType = (typeof partnerEventTypes)[number];

export const isPartnerEvent = (type: string): type is PartnerEventType => (partnerEventTypes as readonly string[]).includes(type);

// Each event is built here only, so its payload cannot drift between the paths that write it.

type OrderRef = Pick<StoredOrder, 'id' | 'partnerId' | 'externalRef'>;

const orderEvent = (type: PartnerEventType, orderId: string, payload: Record<string, unknown>): OutboxMessage => ({
  type,
  correlationId: orderId,
  destination: 'gateway.orders',
  payload,
});

/** What every event from fulfillment starts with. */
const fulfillmentBase = (order: OrderRef) => ({ orderId: order.id, partnerId: order.partnerId, externalRef: order.externalRef });

export const orderReceived = (order: OrderRef & Pick<StoredOrder, 'channel'>): OutboxMessage =>
  orderEvent('order.received.v1', order.id, {
    orderId: order.id,
    partnerId: order.partnerId,
    channel: order.channel,
    externalRef: order.externalRef,
  });

export const orderCancelled = (order: Pick<StoredOrder, 'id' | 'partnerId'>, from: OrderStatus): OutboxMessage =>
  orderEvent('order.cancelled.v1', order.id, { orderId: order.id, partnerId: order.partnerId, from, to: 'cancelled' });

/** `detail`: why, as the order's history has it (the task, the vendor's code and reason). */
export const orderFailed = (order: OrderRef, detail: Record<string, unknown>): OutboxMessage =>
  orderEvent('order.failed.v1', order.id, { ...fulfillmentBase(order), ...detail });

/** The order is stored but waits: `lines` are the ones whose items resolve to no SKU (or that order 0), each with what it named. */
export const orderHeld = (order: OrderRef, reason: string, lines: readonly UnresolvedItem[]): OutboxMessage =>
  orderEvent('order.held.v1', order.id, { ...fulfillmentBase(order), reason, lines });

/** A held order moves on: every line now resolves (`resolved`: to which SKU, through what). */
export const orderResumed = (order: OrderRef, resolved: readonly ResolvedItem[]): OutboxMessage =>
  orderEvent('order.resumed.v1', order.id, { ...fulfillmentBase(order), resolved });

/** The whole order is refused; `lines` say why, line by line. */
export const orderRejected = (order: OrderRef, reason: string, lines: readonly UnresolvedItem[]): OutboxMessage =>
  orderEvent('order.rejected.v1', order.id, { ...fulfillmentBase(order), reason, lines });

/** order.acknowledged.v1, order.shipped.v1 or order.ready-for-billing.v1: the webhook twin of the partner's 855, 856 or 810. */
export function answerEvent(order: OrderRef, answer: PartnerAnswer): OutboxMessage {
  const base = fulfillmentBase(order);
  switch (answer.kind) {
    case 'acknowledgment':
      return orderEvent('order.acknowledged.v1', order.id, {
        ...base,
        ackDate: answer.ack.ackDate,
        lines: answer.ack.lines,
        ...(answer.ack.replacement === true ? { replacement: true } : {}),
      });
    case 'shipment':
      return orderEvent('order.shipped.v1', order.id, { ...base, shipment: answer.shipment });
    case 'invoice':
      return orderEvent('order.ready-for-billing.v1', order.id, { ...base, invoice: answer.invoice });
  }
}

/**
 * A vendor moved a line's date later than the partner had it (domain/line-delay.ts says against
 * what): `dateType` ship (the acknowledgment's date) or delivery (a shipment's estimate).
 */
export const orderDelayed = (order: OrderRef, delay: LineDelay): OutboxMessage =>
  orderEvent('order.delayed.v1', order.id, {
    ...fulfillmentBase(order),
    lineNumber: delay.lineNumber,
    dateType: delay.dateType,
    previousDate: delay.previousDate,
    expectedDate: delay.expectedDate,
    reason: delay.reason,
  });

/**
 * A document the partner was to get and did not: it could not be written in the partner's format
 * (`problems` say why), or it was withheld because one it depends on was not written.
 */
export const answerNotWritten = (
  order: OrderRef,
  detail: { answer: PartnerAnswer['kind']; problems: string; shipmentId?: string },
): OutboxMessage => orderEvent('document.not-written.v1', order.id, { ...fulfillmentBase(order), ...detail });

/** A document stored, in (unless said otherwise) or out; correlated with its order, or with itself when it has none. */
export const documentStored = (
  documentId: string,
  partnerId: string,
  orderId: string | null,
  document: { direction?: 'inbound' | 'outbound'; channel: Channel; type: string },
): OutboxMessage => ({
  type: 'document.stored.v1',
  correlationId: orderId ?? documentId,
  destination: 'gateway.documents',
  payload: { documentId, partnerId, orderId, direction: document.direction ?? 'inbound', channel: document.channel, type: document.type },
});

/** One of our documents whose acknowledgment (997/999) did not come in time; correlated like document.stored.v1. */
export const documentAckOverdue = (document: {
  id: string;
  partnerId: string;
  orderId: string | null;
  type: string;
  control: Record<string, string>;
  ackDueAt: Date | null;
}): OutboxMessage => ({
  type: 'document.ack-overdue.v1',
  correlationId: document.orderId ?? document.id,
  destination: 'gateway.documents',
  payload: {
    documentId: document.id,
    partnerId: document.partnerId,
    orderId: document.orderId,
    type: document.type,
    control: document.control,
    ackDueAt: document.ackDueAt?.toISOString() ?? null,
  },
});
