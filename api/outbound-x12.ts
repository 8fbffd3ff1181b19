import { getPartnerX12, orderStore, type Database, type PartnerX12 } from '../adapters/db/index.ts';
import { deliver, defaultRetryPolicy, type RetryPolicy } from '../adapters/http/index.ts';
import { writeInterchange, type OutboundSetId } from '../adapters/x12/outbound/index.ts';
import type { OutSegment } from '../adapters/x12/index.ts';
import { sendDocument, type OutboundDocument, type SentDocument } from '../pipeline/outbound.ts';

// An 855, 856 or 810 to an X12 partner: enveloped from us to it with its next control numbers,
// stored, then pushed to its endpoint when it has one.

/** ISA12 for a GS08 version: 004010 → 00401, 005010X… → 00501. */
export const interchangeVersionFor = (version: string): string => version.slice(0, 5);

export function x12Document(identity: PartnerX12, partnerId: string, orderId: string | null, setId: OutboundSetId, body: readonly OutSegment[], at = new Date()): OutboundDocument {
  return {
    partnerId,
    orderId,
    channel: 'x12',
    type: setId,
    contentType: 'application/edi-x12',
    async render(take) {
      const interchangeControl = await take('isa', 1);
      const groupControl = await take('gs', 1);
      const text = writeInterchange(
        {
          sender: { qualifier: identity.ourQualifier, id: identity.ourId },
          receiver: { qualifier: identity.qualifier, id: identity.id },
          interchangeControl,
          groupControl,
          version: identity.version,
          interchangeVersion: interchangeVersionFor(identity.version),
          at,
          usage: 'P',
        },
        setId,
        body,
      );
      return { body: text, control: { isaControlNumber: String(interchangeControl).padStart(9, '0'), gsControlNumber: String(groupControl) } };
    },
  };
}

export async function sendX12(db: Database, partnerId: string, orderId: string | null, setId: OutboundSetId, body: readonly OutSegment[], policy: RetryPolicy = defaultRetryPolicy): Promise<SentDocument> {
  const identity = await getPartnerX12(db, partnerId);
  if (identity === undefined) throw new Error(`partner ${partnerId} has no X12 identity`);
  return sendDocument(
    { store: orderStore(db), deliver: (url, document) => deliver({ url, ...document }, policy) },
    x12Document(identity, partnerId, orderId, setId, body),
    identity.endpointUrl,
  );
}
