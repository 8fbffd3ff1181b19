import { cxmlAnswerDocument } from '../cxml/index.ts';
import { orderStore, type Database } from '../db/index.ts';
import { x12AnswerDocument } from '../x12/outbound/index.ts';
import type { AnswerRenderer, FulfillmentDeps } from '../../pipeline/fulfillment.ts';
import { deliveryFor, type PushPolicy } from './delivery.ts';

// The partner's answer in the format it ordered in: X12 partners get an 855, 856 and 810; cXML
// partners a ConfirmationRequest and a ShipNoticeRequest; every partner can also subscribe to the
// webhook events.

/** Our own cXML credential, in the From and Sender of what we send. */
export const gatewayCredential = { domain: 'NetworkID', identity: 'ordergate', userAgent: 'ordergate' };

export function answerRenderer(push: PushPolicy): AnswerRenderer {
  return (order, answer, channels, at) => {
    const document =
      order.channel === 'x12' && channels.x12 !== undefined
        ? x12AnswerDocument(order, answer, channels.x12, at)
        : order.channel === 'cxml' && channels.cxml !== undefined
          ? cxmlAnswerDocument(order, answer, channels.cxml, gatewayCredential, at)
          : undefined;
    if (document === undefined || 'problems' in document) return document;
    const delivery = deliveryFor(order.channel, channels, push);
    return delivery === undefined ? { document } : { document, ...delivery };
  };
}

export const fulfillmentDeps = (db: Database, push: PushPolicy): FulfillmentDeps => ({
  store: orderStore(db),
  renderAnswer: answerRenderer(push),
});
