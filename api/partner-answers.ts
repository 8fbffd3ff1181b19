import { buildConfirmationRequest, buildShipNoticeRequest, confirmationFromAck } from '../adapters/cxml/index.ts';
import { orderStore, type Database } from '../adapters/db/index.ts';
import { deliver, defaultRetryPolicy, type RetryPolicy } from '../adapters/http/index.ts';
import { build810, build855, build856 } from '../adapters/x12/outbound/index.ts';
import type { PartnerAnswer } from '../domain/fulfillment-progress.ts';
import type { StoredOrder } from '../domain/order.ts';
import type { AnswerRenderer, FulfillmentDeps, RenderedAnswer } from '../pipeline/fulfillment.ts';
import type { PartnerChannels } from '../pipeline/ports.ts';
import { cxmlDeliverer, cxmlDocument, envelopeFor } from './outbound-cxml.ts';
import { x12Document } from './outbound-x12.ts';

// The partner's answer in the format it ordered in: X12 partners get an 855, 856 and 810; cXML
// partners a ConfirmationRequest and a ShipNoticeRequest (cXML billing goes out as the
// order.ready-for-billing.v1 event); every partner can also subscribe to the webhook events.

/** Our own cXML credential, in the From and Sender of what we send. */
export const gatewayCredential = { domain: 'NetworkID', identity: 'ordergate', userAgent: 'ordergate' };

function x12Answer(order: StoredOrder, answer: PartnerAnswer, identity: NonNullable<PartnerChannels['x12']>, at: Date, policy: RetryPolicy): RenderedAnswer {
  const body = answer.kind === 'acknowledgment' ? build855(answer.ack) : answer.kind === 'shipment' ? build856(order, answer.shipment, at) : build810(order, answer.invoice);
  const setId = answer.kind === 'acknowledgment' ? '855' : answer.kind === 'shipment' ? '856' : '810';
  return {
    document: x12Document(identity, order.partnerId, order.id, setId, body, at),
    ...(identity.endpointUrl === undefined ? {} : { endpointUrl: identity.endpointUrl }),
    deliver: (url, document) => deliver({ url, ...document }, policy),
  };
}

function cxmlAnswer(order: StoredOrder, answer: PartnerAnswer, identity: NonNullable<PartnerChannels['cxml']>, at: Date, policy: RetryPolicy): RenderedAnswer | { problems: string } | undefined {
  if (answer.kind === 'invoice') return undefined;
  const envelope = { ...envelopeFor(identity, gatewayCredential), at };
  const built = answer.kind === 'acknowledgment' ? buildConfirmationRequest(confirmationFromAck(answer.ack), envelope) : buildShipNoticeRequest(order, answer.shipment, envelope);
  if (!built.ok) return { problems: built.error.map((problem) => problem.detail).join('; ') };
  return {
    document: cxmlDocument(order.partnerId, order.id, answer.kind === 'acknowledgment' ? 'ConfirmationRequest' : 'ShipNoticeRequest', built.value),
    ...(identity.confirmationUrl === undefined ? {} : { endpointUrl: identity.confirmationUrl }),
    deliver: cxmlDeliverer(policy),
  };
}

export function answerRenderer(policy: RetryPolicy = defaultRetryPolicy): AnswerRenderer {
  return (order, answer, channels, at) => {
    if (order.channel === 'x12' && channels.x12 !== undefined) return x12Answer(order, answer, channels.x12, at, policy);
    if (order.channel === 'cxml' && channels.cxml !== undefined) return cxmlAnswer(order, answer, channels.cxml, at, policy);
    return undefined;
  };
}

export const fulfillmentDeps = (db: Database, policy: RetryPolicy = defaultRetryPolicy): FulfillmentDeps => ({ store: orderStore(db), renderAnswer: answerRenderer(policy) });
