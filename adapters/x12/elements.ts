import { storable } from '../../domain/text.ts';
import type { Segment } from './tokenize.ts';

// The envelope's geometry, its element positions named as the standards number them (ISA13 is
// ISA.controlNumber = 13), and the one way to read an element of a segment outside the tokenizer.

/** The fixed-width ISA: 106 characters, 16 elements. */
export const isaLength = 106;
export const isaElementCount = 16;

export const ISA = {
  authorizationQualifier: 1,
  authorization: 2,
  securityQualifier: 3,
  security: 4,
  senderQualifier: 5,
  sender: 6,
  receiverQualifier: 7,
  receiver: 8,
  date: 9,
  time: 10,
  repetitionSeparator: 11,
  version: 12,
  controlNumber: 13,
  ackRequested: 14,
  usage: 15,
  componentSeparator: 16,
} as const;

export const IEA = { groupCount: 1, controlNumber: 2 } as const;
export const GS = { functionalId: 1, senderApp: 2, receiverApp: 3, date: 4, time: 5, controlNumber: 6, agency: 7, version: 8 } as const;
export const GE = { setCount: 1, controlNumber: 2 } as const;
export const ST = { setId: 1, controlNumber: 2, conventionReference: 3 } as const;
export const SE = { segmentCount: 1, controlNumber: 2 } as const;

// What a partner's acknowledgment of our documents holds (997 AK*, 999 with IK3/IK4/IK5 at the same positions).
export const TA1 = { controlNumber: 1, date: 2, time: 3, status: 4, note: 5 } as const;
export const AK1 = { functionalId: 1, controlNumber: 2, version: 3 } as const;
export const AK2 = { setId: 1, controlNumber: 2, conventionReference: 3 } as const;
export const AK3 = { segmentId: 1, position: 2, loopId: 3, code: 4 } as const;
export const AK4 = { position: 1, reference: 2, code: 3, badValue: 4 } as const;
export const AK5 = { status: 1, firstCode: 2, lastCode: 6 } as const;
export const AK9 = { status: 1, included: 2, received: 3, accepted: 4, firstCode: 5, lastCode: 9 } as const;

/** The element at `position` (1 is the first after the tag); undefined when the segment has fewer. */
export const element = (segment: Segment, position: number): string | undefined => segment.elements[position - 1];

/**
 * The partnership an ISA comes on, as dedupe keys and stored documents name it: sender and receiver,
 * each `<qualifier>/<id>` (ids without their padding).
 */
export const isaParties = (isa: Segment): { sender: string; receiver: string } => ({
  // A refused ISA is still recorded under its sender: as a text the database can hold.
  sender: storable(`${element(isa, ISA.senderQualifier)}/${(element(isa, ISA.sender) ?? '').trim()}`),
  receiver: storable(`${element(isa, ISA.receiverQualifier)}/${(element(isa, ISA.receiver) ?? '').trim()}`),
});
