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
] as const;

export type PartnerEventType = (typeof partnerEventTypes)[number];

export const isPartnerEvent = (type: string): type is PartnerEventType => (partnerEventTypes as readonly string[]).includes(type);
