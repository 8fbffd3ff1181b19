import { groupErrors, interchangeNotes, setErrors } from './codes.ts';
import { element, GE, GS, IEA, ISA, isaElementCount, SE, ST } from './elements.ts';
import type { GroupFrame, InterchangeFrame, TransactionSet } from './envelope.ts';
import type { Segment } from './tokenize.ts';

// Envelope rules: ISA/IEA (answered in a TA1), GS/GE (AK9), ST/SE (AK5).

const idQualifiers = [
  '01',
  '02',
  '03',
  '04',
  '07',
  '08',
  '09',
  '10',
  '11',
  '12',
  '13',
  '14',
  '15',
  '16',
  '17',
  '18',
  '19',
  '20',
  '21',
  '22',
  '23',
  '24',
  '25',
  '26',
  '27',
  '28',
  '29',
  '30',
  '31',
  '32',
  '33',
  '34',
  'NR',
  'SA',
  'SN',
  'ZZ',
];

/** YYMMDD that is a day of the calendar (ISA09). */
const isIsaDate = (v: string): boolean => {
  if (!/^\d{6}$/.test(v)) return false;
  const [y, m, d] = [2000 + Number(v.slice(0, 2)), Number(v.slice(2, 4)), Number(v.slice(4, 6))];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};

/** A count as sent (IEA01, GE01, SE01) against the real one; N0 allows leading zeros. */
const sameCount = (stated: string | undefined, actual: number): boolean =>
  stated !== undefined && /^\d{1,10}$/.test(stated) && Number(stated) === actual;

const isaRules: [position: number, width: number, check: (v: string) => boolean, note: string][] = [
  [
    ISA.authorizationQualifier,
    2,
    (v) => ['00', '01', '02', '03', '04', '05', '06'].includes(v),
    interchangeNotes.invalidAuthorizationQualifier,
  ],
  [ISA.authorization, 10, () => true, interchangeNotes.invalidAuthorizationValue],
  [ISA.securityQualifier, 2, (v) => ['00', '01'].includes(v), interchangeNotes.invalidSecurityQualifier],
  [ISA.security, 10, () => true, interchangeNotes.invalidSecurityValue],
  [ISA.senderQualifier, 2, (v) => idQualifiers.includes(v), interchangeNotes.invalidSenderQualifier],
  [ISA.sender, 15, (v) => v.trim() !== '', interchangeNotes.invalidSenderId],
  [ISA.receiverQualifier, 2, (v) => idQualifiers.includes(v), interchangeNotes.invalidReceiverQualifier],
  [ISA.receiver, 15, (v) => v.trim() !== '', interchangeNotes.invalidReceiverId],
  [ISA.date, 6, isIsaDate, interchangeNotes.invalidDate],
  [ISA.time, 4, (v) => /^([01]\d|2[0-3])[0-5]\d$/.test(v), interchangeNotes.invalidTime],
  [ISA.version, 5, (v) => /^00[2-8]\d\d$/.test(v), interchangeNotes.invalidVersion],
  [ISA.controlNumber, 9, (v) => /^\d{9}$/.test(v), interchangeNotes.invalidControlNumber],
  [ISA.ackRequested, 1, (v) => v === '0' || v === '1', interchangeNotes.invalidAckRequested],
  [ISA.usage, 1, (v) => ['P', 'T', 'I'].includes(v), interchangeNotes.invalidTestIndicator],
];

/** Every character printable ASCII: what the envelope's identifiers may hold (they are keys, and we echo them). */
const isPrintableAscii = (value: string): boolean => /^[\x20-\x7e]*$/.test(value);

/** The first thing wrong with an ISA, as a TA1 note code. */
export function checkIsa(isa: Segment): string | undefined {
  if (isa.elements.length !== isaElementCount) return interchangeNotes.invalidControlStructure;
  for (const [position, width, check, note] of isaRules) {
    const value = element(isa, position) as string;
    if (value.length !== width || !isPrintableAscii(value) || !check(value)) return note;
  }
  return undefined;
}

/**
 * GS02 and GS03 (application sender and receiver, AN 2-15) are part of each set's dedupe key and
 * are echoed in the 997's GS; the 997 has no code for them, so a GS that breaks them is invalid
 * interchange content (TA1 024, "e.g. an invalid GS segment"), like a GS holding a character no
 * text column can hold.
 */
function isValidGs(gs: Segment): boolean {
  if (!gs.elements.every(isPrintableAscii)) return false;
  return [GS.senderApp, GS.receiverApp].every((position) => {
    const value = element(gs, position) ?? '';
    return value.length >= 2 && value.length <= 15;
  });
}

export function checkInterchangeTrailer<R>(frame: InterchangeFrame<R>): string | undefined {
  const { iea, isa } = frame;
  if (iea === undefined) return interchangeNotes.prematureEndOfFile;
  if (element(iea, IEA.controlNumber) !== element(isa, ISA.controlNumber)) return interchangeNotes.controlNumberMismatch;
  if (!sameCount(element(iea, IEA.groupCount), frame.groups.length)) return interchangeNotes.invalidGroupCount;
  if (frame.strays.length > 0 || !frame.groups.every((group) => isValidGs(group.gs))) return interchangeNotes.invalidContent;
  return undefined;
}

const supportedGroupVersion = /^00[4-8]0[1-9]0/;

export function checkGroup<R>(group: GroupFrame<R>): string[] {
  const codes: string[] = [];
  const { gs, ge } = group;
  if (!/^\d{1,9}$/.test(element(gs, GS.controlNumber) ?? '')) codes.push(groupErrors.invalidControlNumber);
  if (!supportedGroupVersion.test(element(gs, GS.version) ?? '')) codes.push(groupErrors.versionNotSupported);
  if (ge === undefined) {
    codes.push(groupErrors.trailerMissing);
    return codes;
  }
  if (element(ge, GE.controlNumber) !== element(gs, GS.controlNumber)) codes.push(groupErrors.controlNumberMismatch);
  if (!sameCount(element(ge, GE.setCount), group.sets.length)) codes.push(groupErrors.setCountMismatch);
  return codes;
}

export function checkSetEnvelope(set: TransactionSet): string[] {
  const codes: string[] = [];
  const st02 = element(set.st, ST.controlNumber) ?? '';
  if (!/^\d{3}$/.test(element(set.st, ST.setId) ?? '')) codes.push(setErrors.invalidSetId);
  if (!/^[0-9A-Za-z]{4,9}$/.test(st02)) codes.push(setErrors.invalidControlNumber);
  if (set.se === undefined) {
    codes.push(setErrors.trailerMissing);
    return codes;
  }
  if (element(set.se, SE.controlNumber) !== st02) codes.push(setErrors.controlNumberMismatch);
  if (!sameCount(element(set.se, SE.segmentCount), set.segments.length)) codes.push(setErrors.segmentCountMismatch);
  return codes;
}

/** 004010 and earlier answer with a 997; 005010 and later with a 999. */
export const ackSetFor = (groupVersion: string): '997' | '999' => (groupVersion.slice(0, 6) >= '005010' ? '999' : '997');

/**
 * An ISA must come on one of the partner's pairs: from one of its senders (TA1 006 otherwise), to a
 * receiver of ours that sender is paired with (TA1 009 otherwise).
 */
export function senderCheck(identities: readonly { qualifier: string; id: string; ourQualifier: string; ourId: string }[]) {
  return (isa: Segment): string | undefined => {
    const qualifier = element(isa, ISA.senderQualifier);
    const sender = (element(isa, ISA.sender) ?? '').trim();
    const fromSender = identities.filter((pair) => pair.qualifier === qualifier && pair.id === sender);
    if (fromSender.length === 0) return interchangeNotes.invalidSenderId;
    const receiverQualifier = element(isa, ISA.receiverQualifier);
    const receiver = (element(isa, ISA.receiver) ?? '').trim();
    if (!fromSender.some((pair) => pair.ourQualifier === receiverQualifier && pair.ourId === receiver))
      return interchangeNotes.unknownReceiverId;
    return undefined;
  };
}
