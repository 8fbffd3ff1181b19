import type { PartnerAnswer } from '../../../domain/fulfillment-progress.ts';
import type { StoredOrder } from '../../../domain/order.ts';
import type { Shipment } from '../../../domain/shipment.ts';
import { ssccFaults } from '../../../domain/sscc.ts';
import type { OutboundDocument } from '../../../pipeline/outbound.ts';
import type { PartnerChannels } from '../../../pipeline/ports.ts';
import type { OutSegment } from '../serialize.ts';
import { build810 } from './810.ts';
import { build855 } from './855.ts';
import { build856 } from './856.ts';
import { writeInterchange, type OutboundSetId } from './interchange.ts';

// An 855, 856 or 810 to an X12 partner as an outbound document: enveloped from us to it with its
// next control numbers, taken when the document is stored, on the pair (their ISA id, ours) the
// order came in on.

type PartnerX12 = NonNullable<PartnerChannels['x12']>;

/** Who we are to the partner and who it is to us (one of its pairs), and the version it reads. */
export type X12Identity = PartnerX12['identities'][number] & Pick<PartnerX12, 'version'>;

/**
 * The pair a document goes out on: the one the order came in on (its ISA sender and receiver,
 * kept in the order's envelope) while the partner still has it; else, and for a document of no
 * order, the partner's first.
 */
export function identityFor(x12: PartnerX12, envelope?: Readonly<Record<string, string>>): X12Identity {
  const cameOn =
    envelope === undefined
      ? undefined
      : x12.identities.find(
          (pair) =>
            pair.qualifier === envelope.isaSenderQualifier &&
            pair.id === envelope.isaSender &&
            pair.ourQualifier === envelope.isaReceiverQualifier &&
            pair.ourId === envelope.isaReceiver,
        );
  const pair = cameOn ?? x12.identities[0];
  if (pair === undefined) throw new Error('the partner has no X12 pair to send on');
  return { qualifier: pair.qualifier, id: pair.id, ourQualifier: pair.ourQualifier, ourId: pair.ourId, version: x12.version };
}

/**
 * How long a partner has to acknowledge our 855/856/810 with a 997/999 before the document is
 * overdue: 24 hours for every partner, the common trading-partner agreement (one setting per
 * partner would go with its X12 identity in partner_x12).
 */
export const ackWindowMs = 24 * 60 * 60 * 1000;

/** ST02 of the one set in each interchange we write (serialize.ts numbers the sets of a group from 0001). */
const stControlNumber = '0001';

/** ISA12 for a GS08 version: 004010 → 00401, 005010X… → 00501. */
export const interchangeVersionFor = (version: string): string => version.slice(0, 5);

export function x12Document(
  identity: X12Identity,
  partnerId: string,
  orderId: string | null,
  setId: OutboundSetId,
  body: readonly OutSegment[],
  at = new Date(),
): OutboundDocument {
  return {
    partnerId,
    orderId,
    channel: 'x12',
    type: setId,
    contentType: 'application/edi-x12',
    ackWithinMs: ackWindowMs,
    async render(take) {
      const taken = await take({ isa: 1, gs: 1 });
      const interchangeControl = taken.isa as number;
      const groupControl = taken.gs as number;
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
      return {
        body: text,
        control: { isaControlNumber: String(interchangeControl).padStart(9, '0'), gsControlNumber: String(groupControl), stControlNumber },
      };
    },
  };
}

/**
 * The partner's answer as an X12 set: 855 for the acknowledgment, 856 per shipment, 810 for the
 * invoice, on the pair the order came in on. Under a profile that requires SSCCs (require, or
 * assign once the pipeline has assigned them) an 856 with a carton lacking a valid one is not
 * written: a retailer's dock refuses such a carton, so it is never sent bare.
 */
export function x12AnswerDocument(
  order: StoredOrder,
  answer: PartnerAnswer,
  x12: PartnerX12,
  at: Date,
): OutboundDocument | { problems: string } {
  const { profile } = x12;
  if (answer.kind === 'shipment' && profile !== undefined && profile.sscc !== 'vendor') {
    const problem = ssccProblem(answer.shipment);
    if (problem !== undefined) return { problems: problem };
  }
  const body =
    answer.kind === 'acknowledgment'
      ? build855(answer.ack)
      : answer.kind === 'shipment'
        ? build856(order, answer.shipment, at, profile)
        : build810(order, answer.invoice, profile);
  const setId = answer.kind === 'acknowledgment' ? '855' : answer.kind === 'shipment' ? '856' : '810';
  return x12Document(identityFor(x12, order.envelope), order.partnerId, order.id, setId, body, at);
}

function ssccProblem(shipment: Shipment): string | undefined {
  const { missing, invalid } = ssccFaults(shipment);
  const faults = [
    ...(missing.length === 0 ? [] : [`carton ${missing.join(', ')} without an SSCC`]),
    ...(invalid.length === 0 ? [] : [`carton ${invalid.join(', ')} with an SSCC that is not a valid SSCC-18`]),
  ];
  return faults.length === 0
    ? undefined
    : `the partner's profile requires an SSCC-18 on every carton: shipment ${shipment.shipmentId} has ${faults.join(' and ')}`;
}
