import type { PartnerAnswer } from '../../../domain/fulfillment-progress.ts';
import type { StoredOrder } from '../../../domain/order.ts';
import type { OutboundDocument } from '../../../pipeline/outbound.ts';
import type { PartnerChannels } from '../../../pipeline/ports.ts';
import { buildConfirmationRequest } from './confirmation.ts';
import { confirmationFromAck } from './confirmation-input.ts';
import type { CxmlEnvelope } from './envelope.ts';
import { requestFacts } from './read-back.ts';
import { buildShipNoticeRequest } from './ship-notice.ts';

// A ConfirmationRequest or ShipNoticeRequest to a cXML partner as an outbound document, stored
// under its own payloadID.

export type CxmlKind = 'ConfirmationRequest' | 'ShipNoticeRequest';

/** The partner's From credential: it becomes our To. */
export type CxmlIdentity = Pick<NonNullable<PartnerChannels['cxml']>, 'fromDomain' | 'fromIdentity'>;

const contentType = 'text/xml; charset=utf-8';

/** Our credential in the partnership as From and Sender (with our secret), the partner's From credential as our To. */
export function envelopeFor(partner: CxmlIdentity, us: CxmlEnvelope['sender']): CxmlEnvelope {
  return {
    from: { domain: us.domain, identity: us.identity },
    to: { domain: partner.fromDomain, identity: partner.fromIdentity },
    sender: us,
  };
}

/** cXML takes no control numbers: the document's own payloadID is its control id. */
export function cxmlDocument(partnerId: string, orderId: string | null, kind: CxmlKind, xml: string): OutboundDocument {
  const facts = requestFacts(xml);
  if (facts === undefined || facts.request !== kind) throw new Error(`the document to send is not a cXML ${kind} with a payloadID`);
  return {
    partnerId,
    orderId,
    channel: 'cxml',
    type: kind,
    contentType,
    render: () => ({ body: xml, control: { payloadId: facts.payloadId } }),
  };
}

/**
 * The partner's answer as a cXML request: undefined for the invoice (cXML billing goes out as the
 * order.ready-for-billing.v1 event), `problems` when the order lacks what the document needs.
 */
export function cxmlAnswerDocument(
  order: StoredOrder,
  answer: PartnerAnswer,
  identity: CxmlIdentity,
  us: CxmlEnvelope['sender'],
  at: Date,
): OutboundDocument | { problems: string } | undefined {
  if (answer.kind === 'invoice') return undefined;
  const envelope = { ...envelopeFor(identity, us), at };
  const built =
    answer.kind === 'acknowledgment'
      ? buildConfirmationRequest(confirmationFromAck(answer.ack), envelope)
      : buildShipNoticeRequest(order, answer.shipment, envelope);
  if (!built.ok) return { problems: built.error.map((problem) => problem.detail).join('; ') };
  return cxmlDocument(
    order.partnerId,
    order.id,
    answer.kind === 'acknowledgment' ? 'ConfirmationRequest' : 'ShipNoticeRequest',
    built.value,
  );
}
