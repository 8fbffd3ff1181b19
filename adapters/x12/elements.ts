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

/** The element at `position` (1 is the first after the tag); undefined when the segment has fewer. */
export const element = (segment: Segment, position: number): string | undefined => segment.elements[position - 1];
