import { readPartnerAnswer, requestFacts, type CxmlEnvelope, type PartnerAnswer } from '../adapters/cxml/index.ts';
import { getPartnerCxml, orderStore, type Database, type PartnerCxml } from '../adapters/db/index.ts';
import { deliver, defaultRetryPolicy, type RetryPolicy } from '../adapters/http/index.ts';
import { sendDocument, type Deliverer, type OutboundDocument, type SentDocument } from '../pipeline/outbound.ts';

// A ConfirmationRequest or ShipNoticeRequest to a cXML partner: stored under its payloadID, then
// POSTed to the partner's confirmationUrl (or left in its mailbox). Success is the partner's cXML
// Response Status, not the HTTP status alone: see adapters/cxml/outbound/partner-answer.ts.

export type CxmlKind = 'ConfirmationRequest' | 'ShipNoticeRequest';

const contentType = 'text/xml; charset=utf-8';

/** Our side of the envelope (not stored with the partner) and the partner's From credential as our To. */
export function envelopeFor(partner: PartnerCxml, us: CxmlEnvelope['sender']): CxmlEnvelope {
  return { from: { domain: us.domain, identity: us.identity }, to: { domain: partner.fromDomain, identity: partner.fromIdentity }, sender: us };
}

/** cXML takes no control numbers: the document's own payloadID is its control id. */
export function cxmlDocument(partnerId: string, orderId: string | null, kind: CxmlKind, xml: string): OutboundDocument {
  const facts = requestFacts(xml);
  if (facts === undefined || facts.request !== kind) throw new Error(`the document to send is not a cXML ${kind} with a payloadID`);
  return { partnerId, orderId, channel: 'cxml', type: kind, contentType, render: () => ({ body: xml, control: { payloadId: facts.payloadId } }) };
}

/**
 * deliver() with the partner's cXML answer judged on every 2xx reply: a 5xx Status is retried like
 * an HTTP 5xx, a 4xx Status fails at once. The Status of the reply that decided is recorded with the
 * document (cxmlStatus, cxmlStatusText); its detail, on a failure, is in lastError.
 */
export function cxmlDeliverer(policy: RetryPolicy): Deliverer {
  return async (url, document) => {
    const seen: { last?: PartnerAnswer } = {};
    const judge = (body: string) => {
      const answer = readPartnerAnswer(body);
      seen.last = answer;
      return answer.outcome === 'accepted' ? undefined : { retry: answer.outcome === 'retry', error: answer.summary };
    };
    const result = await deliver({ url, ...document, judge }, policy);
    const answer = seen.last;
    // The last Status read decided only if the delivery ended on it (not on a later HTTP or network failure).
    const decided = answer?.status !== undefined && (result.ok || result.error === answer.summary) ? answer.status : undefined;
    return {
      ok: result.ok,
      attempts: result.attempts,
      ...(result.ok ? {} : { error: result.error }),
      ...(decided === undefined ? {} : { answer: { cxmlStatus: String(decided.code), cxmlStatusText: decided.text } }),
    };
  };
}

export async function sendCxml(db: Database, partnerId: string, orderId: string | null, kind: CxmlKind, xml: string, policy: RetryPolicy = defaultRetryPolicy): Promise<SentDocument> {
  const identity = await getPartnerCxml(db, partnerId);
  if (identity === undefined) throw new Error(`partner ${partnerId} has no cXML identity`);
  return sendDocument({ store: orderStore(db), deliver: cxmlDeliverer(policy) }, cxmlDocument(partnerId, orderId, kind, xml), identity.confirmationUrl);
}
