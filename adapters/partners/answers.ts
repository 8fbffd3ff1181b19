import { cxmlAnswerDocument, sharedSecretPlaceholder } from '../cxml/index.ts';
import type { CxmlEnvelope } from '../cxml/outbound/index.ts';
import { orderStore, type Database } from '../db/index.ts';
import { x12AnswerDocument } from '../x12/outbound/index.ts';
import type { PartnerAnswer } from '../../domain/fulfillment-progress.ts';
import type { StoredOrder } from '../../domain/order.ts';
import type { AnswerRenderer, FulfillmentDeps } from '../../pipeline/fulfillment.ts';
import type { PartnerChannels } from '../../pipeline/ports.ts';
import { deliveryFor, type PushPolicy } from './delivery.ts';

// The partner's answer in the format it ordered in: X12 partners get an 855, 856 and 810; cXML
// partners a ConfirmationRequest and a ShipNoticeRequest; every partner can also subscribe to the
// webhook events.

/** Which software sends, in Sender/UserAgent: the same in every partnership. */
const userAgent = 'ordergate';

type CxmlChannel = NonNullable<PartnerChannels['cxml']>;

/**
 * Our From and Sender in this partnership (the shared secret goes in as the document is sent, see
 * delivery.ts); or why no document is written. There is no fallback identity: a buyer's network
 * refuses a document from a credential it does not know or without our secret, so one sent bare
 * would only fail at the partner, later and less clearly than the note in the order's history
 * (answer.not-written) that names the setting to make.
 */
function ourSender(cxml: CxmlChannel): CxmlEnvelope['sender'] | { problems: string } {
  const ours = cxml.ourCredential;
  if (ours === undefined)
    return {
      problems:
        'no cXML credential of ours is set for this partner (cxml.ourCredential: our identity in its network and the shared secret we present); cXML documents are not sent without it',
    };
  return { domain: ours.domain, identity: ours.identity, sharedSecret: sharedSecretPlaceholder, userAgent };
}

function cxmlAnswer(order: StoredOrder, answer: PartnerAnswer, cxml: CxmlChannel, at: Date) {
  // cXML billing goes out as the order.ready-for-billing.v1 event: no document, so no credential needed.
  if (answer.kind === 'invoice') return undefined;
  const us = ourSender(cxml);
  return 'problems' in us ? us : cxmlAnswerDocument(order, answer, cxml, us, at);
}

export function answerRenderer(push: PushPolicy): AnswerRenderer {
  return (order, answer, channels, at) => {
    const document =
      order.channel === 'x12' && channels.x12 !== undefined
        ? x12AnswerDocument(order, answer, channels.x12, at)
        : order.channel === 'cxml' && channels.cxml !== undefined
          ? cxmlAnswer(order, answer, channels.cxml, at)
          : undefined;
    if (document === undefined || 'problems' in document) return document;
    const delivery = deliveryFor(order.partnerId, order.channel, channels, push);
    return delivery === undefined ? { document } : { document, ...delivery };
  };
}

export const fulfillmentDeps = (db: Database, push: PushPolicy): FulfillmentDeps => ({
  store: orderStore(db),
  renderAnswer: answerRenderer(push),
});
