import type { OutSegment } from '../x12/index.ts';
import { cxmlDocument, type CxmlKind } from '../cxml/index.ts';
import { getCxmlChannel, getOrder, getPartnerX12, orderStore, type Database } from '../db/index.ts';
import { identityFor, x12Document, type OutboundSetId } from '../x12/outbound/index.ts';
import { sendDocument, type SentDocument } from '../../pipeline/outbound.ts';
import { deliveryFor, type PushPolicy } from './delivery.ts';

// One document to a partner, outside any order's reply: stored, then pushed to its endpoint when
// it has one (else left in its mailbox).

export async function sendX12(
  db: Database,
  partnerId: string,
  orderId: string | null,
  setId: OutboundSetId,
  body: readonly OutSegment[],
  push: PushPolicy,
): Promise<SentDocument> {
  const x12 = await getPartnerX12(db, partnerId);
  if (x12 === undefined) throw new Error(`partner ${partnerId} has no X12 identity`);
  // An order's document goes on the pair the order came in on.
  const order = orderId === null ? undefined : await getOrder(db, orderId, { partnerId });
  return sendDocument(
    orderStore(db),
    x12Document(identityFor(x12, order?.envelope), partnerId, orderId, setId, body),
    deliveryFor(partnerId, 'x12', { x12 }, push),
  );
}

export async function sendCxml(
  db: Database,
  partnerId: string,
  orderId: string | null,
  kind: CxmlKind,
  xml: string,
  push: PushPolicy,
): Promise<SentDocument> {
  const identity = await getCxmlChannel(db, partnerId);
  if (identity === undefined) throw new Error(`partner ${partnerId} has no cXML identity`);
  return sendDocument(
    orderStore(db),
    cxmlDocument(partnerId, orderId, kind, xml),
    deliveryFor(partnerId, 'cxml', { cxml: identity }, push),
  );
}
