import type { AckSegmentError, AckSetVerdict, GroupAck, InterchangeAck, ReceivedAck } from '../../domain/document-ack.ts';
import { sha256Hex } from '../../domain/sha256.ts';
import { storable } from '../../domain/text.ts';
import type { AcknowledgmentInbound } from '../../pipeline/acknowledgments.ts';
import { AK1, AK2, AK3, AK4, AK5, AK9, element, GS, ISA, isaParties, ST, TA1 } from './elements.ts';
import type { InterchangeOutcome } from './read.ts';
import { tokenize, type Segment } from './tokenize.ts';

// A partner's acknowledgments of our documents, read: the TA1s of an interchange and each 997/999
// set's AK1 loop (AK2 → AK3/IK3 → AK4/IK4 → AK5/IK5, then AK9). Pure reading: which of our
// documents they are about is decided by whoever holds them.

/** GS01 of a functional group that holds acknowledgments (997 and 999). */
const acknowledgmentGroup = 'FA';

export interface AcknowledgmentInterchange {
  acks: ReceivedAck[];
}

/**
 * The acknowledgments in one interchange's bytes, or undefined when it holds anything else (then it
 * is read as any other interchange): only TA1s and groups of 997/999 sets, at least one of either.
 */
export function readAcknowledgmentInterchange(bytes: Uint8Array): AcknowledgmentInterchange | undefined {
  // Nothing here is checked against a guide: what is read is made storable (a NUL would fail the
  // lookups and the stored detail), and an unknown value simply matches no document of ours.
  const segments = tokenize(bytes).flatMap((event) =>
    event.kind === 'segment' ? [{ ...event.segment, elements: event.segment.elements.map(storable) }] : [],
  );
  const acks: ReceivedAck[] = [];
  let setId: string | undefined;
  let setSegments: Segment[] = [];
  let sawSomething = false;
  for (const segment of segments) {
    switch (segment.tag) {
      case 'ISA':
      case 'IEA':
      case 'GE':
        break;
      case 'TA1':
        acks.push(readTa1(segment));
        sawSomething = true;
        break;
      case 'GS':
        if (element(segment, GS.functionalId) !== acknowledgmentGroup) return undefined;
        break;
      case 'ST':
        setId = element(segment, ST.setId);
        if (setId !== '997' && setId !== '999') return undefined;
        setSegments = [];
        break;
      case 'SE':
        if (setId === '997' || setId === '999') for (const ack of readGroupAcks(setId, setSegments)) acks.push(ack);
        setId = undefined;
        sawSomething = true;
        break;
      default:
        if (setId === undefined) return undefined;
        setSegments.push(segment);
    }
  }
  return sawSomething ? { acks } : undefined;
}

/**
 * A read interchange as the acknowledgment use case takes it, when it holds only acknowledgments
 * and comes on one of the partner's own pairs (`checkSender` finds nothing): its dedupe key (sender +
 * receiver + ISA13, as for any interchange), the inbound document, and what it says. Undefined otherwise.
 */
export function acknowledgmentInbound<O>(
  outcome: InterchangeOutcome<O>,
  bytes: Uint8Array,
  partnerId: string,
  checkSender: (isa: Segment) => string | undefined,
): AcknowledgmentInbound | undefined {
  const { isa } = outcome;
  if (checkSender(isa) !== undefined) return undefined;
  // What was read already says whether it can be acknowledgments: an interchange of orders is not
  // tokenized a second time (in one turn of the event loop, 100,000 sets of it) to learn that.
  const onlyAcknowledgments = outcome.groups.every(
    (group) =>
      element(group.gs, GS.functionalId) === acknowledgmentGroup && group.sets.every((set) => set.st01 === '997' || set.st01 === '999'),
  );
  if (!onlyAcknowledgments) return undefined;
  const read = readAcknowledgmentInterchange(bytes);
  if (read === undefined) return undefined;
  const { sender, receiver } = isaParties(isa);
  const isaControlNumber = storable(element(isa, ISA.controlNumber) ?? '');
  return {
    partnerId,
    dedupe: { scope: 'x12-interchange', key: `${sender}/${receiver}/${isaControlNumber}` },
    fingerprint: outcome.fingerprint,
    document: {
      channel: 'x12',
      type: [...new Set(read.acks.map((ack) => ack.kind))].join('+'),
      contentType: 'application/edi-x12',
      body: bytes,
      sha256: sha256Hex(bytes),
      control: { isaSender: sender, isaReceiver: receiver, isaControlNumber },
    },
    acks: read.acks,
  };
}

function readTa1(segment: Segment): InterchangeAck {
  const date = element(segment, TA1.date);
  const time = element(segment, TA1.time);
  return {
    kind: 'TA1',
    isaControlNumber: (element(segment, TA1.controlNumber) ?? '').trim(),
    ...(date ? { date } : {}),
    ...(time ? { time } : {}),
    status: element(segment, TA1.status) ?? '',
    note: element(segment, TA1.note) ?? '',
  };
}

/** The codes in positions first..last of a segment, those given. */
const codes = (segment: Segment, first: number, last: number): string[] => {
  const found: string[] = [];
  for (let position = first; position <= last; position += 1) {
    const code = element(segment, position);
    if (code) found.push(code);
  }
  return found;
};

const count = (segment: Segment, position: number): number | undefined => {
  const value = element(segment, position);
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
};

/** One 997/999 set's body (between ST and SE): one GroupAck per AK1 (there is one by the standard). */
function readGroupAcks(kind: '997' | '999', segments: Segment[]): GroupAck[] {
  const groups: GroupAck[] = [];
  let group: GroupAck | undefined;
  let set: AckSetVerdict | undefined;
  let segmentError: AckSegmentError | undefined;
  for (const segment of segments) {
    switch (segment.tag) {
      case 'AK1':
        group = {
          kind,
          functionalId: element(segment, AK1.functionalId) ?? '',
          gsControlNumber: (element(segment, AK1.controlNumber) ?? '').trim(),
          status: '',
          codes: [],
          counts: {},
          sets: [],
        };
        groups.push(group);
        break;
      case 'AK2': {
        const setId = element(segment, AK2.setId);
        const stControlNumber = element(segment, AK2.controlNumber)?.trim();
        set = { ...(setId ? { setId } : {}), ...(stControlNumber ? { stControlNumber } : {}), status: '', codes: [], errors: [] };
        group?.sets.push(set);
        segmentError = undefined;
        break;
      }
      case 'AK3':
      case 'IK3': {
        const loop = element(segment, AK3.loopId);
        const code = element(segment, AK3.code);
        segmentError = {
          segment: element(segment, AK3.segmentId) ?? '',
          position: element(segment, AK3.position) ?? '',
          ...(loop ? { loop } : {}),
          ...(code ? { code } : {}),
          elements: [],
        };
        set?.errors.push(segmentError);
        break;
      }
      case 'AK4':
      case 'IK4': {
        const reference = element(segment, AK4.reference);
        const value = element(segment, AK4.badValue);
        segmentError?.elements.push({
          position: element(segment, AK4.position) ?? '',
          ...(reference ? { reference } : {}),
          code: element(segment, AK4.code) ?? '',
          ...(value ? { value } : {}),
        });
        break;
      }
      case 'AK5':
      case 'IK5':
        if (set !== undefined) {
          set.status = element(segment, AK5.status) ?? '';
          set.codes = codes(segment, AK5.firstCode, AK5.lastCode);
        }
        set = undefined;
        segmentError = undefined;
        break;
      case 'AK9':
        if (group !== undefined) {
          group.status = element(segment, AK9.status) ?? '';
          group.codes = codes(segment, AK9.firstCode, AK9.lastCode);
          const included = count(segment, AK9.included);
          const received = count(segment, AK9.received);
          const accepted = count(segment, AK9.accepted);
          group.counts = {
            ...(included === undefined ? {} : { included }),
            ...(received === undefined ? {} : { received }),
            ...(accepted === undefined ? {} : { accepted }),
          };
        }
        break;
      default:
      // CTX (999 context) and anything else is not needed to place the verdict.
    }
  }
  return groups;
}
