import { groupErrors, interchangeNotes, setErrors } from './codes.ts';
import type { GroupFrame, InterchangeFrame, TransactionSet } from './envelope.ts';
import type { Segment } from './tokenize.ts';

// Envelope rules: ISA/IEA (answered in a TA1), GS/GE (AK9), ST/SE (AK5).

const idQualifiers = ['01', '02', '03', '04', '07', '08', '09', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20', '21', '22', '23', '24', '25', '26', '27', '28', '29', '30', '31', '32', '33', '34', 'NR', 'SA', 'SN', 'ZZ'];

/** YYMMDD that is a day of the calendar (ISA09). */
const isIsaDate = (v: string): boolean => {
  if (!/^\d{6}$/.test(v)) return false;
  const [y, m, d] = [2000 + Number(v.slice(0, 2)), Number(v.slice(2, 4)), Number(v.slice(4, 6))];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};

/** A count as sent (IEA01, GE01, SE01) against the real one; N0 allows leading zeros. */
const sameCount = (stated: string | undefined, actual: number): boolean => stated !== undefined && /^\d{1,10}$/.test(stated) && Number(stated) === actual;

const isaRules: [index: number, width: number, check: (v: string) => boolean, note: string][] = [
  [1, 2, (v) => ['00', '01', '02', '03', '04', '05', '06'].includes(v), interchangeNotes.invalidAuthorizationQualifier],
  [2, 10, () => true, interchangeNotes.invalidAuthorizationValue],
  [3, 2, (v) => ['00', '01'].includes(v), interchangeNotes.invalidSecurityQualifier],
  [4, 10, () => true, interchangeNotes.invalidSecurityValue],
  [5, 2, (v) => idQualifiers.includes(v), interchangeNotes.invalidSenderQualifier],
  [6, 15, (v) => v.trim() !== '', interchangeNotes.invalidSenderId],
  [7, 2, (v) => idQualifiers.includes(v), interchangeNotes.invalidReceiverQualifier],
  [8, 15, (v) => v.trim() !== '', interchangeNotes.invalidReceiverId],
  [9, 6, isIsaDate, interchangeNotes.invalidDate],
  [10, 4, (v) => /^([01]\d|2[0-3])[0-5]\d$/.test(v), interchangeNotes.invalidTime],
  [12, 5, (v) => /^00[2-8]\d\d$/.test(v), interchangeNotes.invalidVersion],
  [13, 9, (v) => /^\d{9}$/.test(v), interchangeNotes.invalidControlNumber],
  [14, 1, (v) => v === '0' || v === '1', interchangeNotes.invalidAckRequested],
  [15, 1, (v) => ['P', 'T', 'I'].includes(v), interchangeNotes.invalidTestIndicator],
];

/** The first thing wrong with an ISA, as a TA1 note code. */
export function checkIsa(isa: Segment): string | undefined {
  if (isa.elements.length !== 16) return interchangeNotes.invalidControlStructure;
  for (const [index, width, check, note] of isaRules) {
    const value = isa.elements[index - 1] as string;
    if (value.length !== width || !check(value)) return note;
  }
  return undefined;
}

export function checkInterchangeTrailer<R>(frame: InterchangeFrame<R>): string | undefined {
  const { iea, isa } = frame;
  if (iea === undefined) return interchangeNotes.prematureEndOfFile;
  if (iea.elements[1] !== isa.elements[12]) return interchangeNotes.controlNumberMismatch;
  if (!sameCount(iea.elements[0], frame.groups.length)) return interchangeNotes.invalidGroupCount;
  if (frame.strays.length > 0) return interchangeNotes.invalidContent;
  return undefined;
}

const supportedGroupVersion = /^00[4-8]0[1-9]0/;

export function checkGroup<R>(group: GroupFrame<R>): string[] {
  const codes: string[] = [];
  const { gs, ge } = group;
  if (!/^\d{1,9}$/.test(gs.elements[5] ?? '')) codes.push(groupErrors.invalidControlNumber);
  if (!supportedGroupVersion.test(gs.elements[7] ?? '')) codes.push(groupErrors.versionNotSupported);
  if (ge === undefined) {
    codes.push(groupErrors.trailerMissing);
    return codes;
  }
  if (ge.elements[1] !== gs.elements[5]) codes.push(groupErrors.controlNumberMismatch);
  if (!sameCount(ge.elements[0], group.sets.length)) codes.push(groupErrors.setCountMismatch);
  return codes;
}

export function checkSetEnvelope(set: TransactionSet): string[] {
  const codes: string[] = [];
  const st02 = set.st.elements[1] ?? '';
  if (!/^\d{3}$/.test(set.st.elements[0] ?? '')) codes.push(setErrors.invalidSetId);
  if (!/^[0-9A-Za-z]{4,9}$/.test(st02)) codes.push(setErrors.invalidControlNumber);
  if (set.se === undefined) {
    codes.push(setErrors.trailerMissing);
    return codes;
  }
  if (set.se.elements[1] !== st02) codes.push(setErrors.controlNumberMismatch);
  if (!sameCount(set.se.elements[0], set.segments.length)) codes.push(setErrors.segmentCountMismatch);
  return codes;
}

/** 004010 and earlier answer with a 997; 005010 and later with a 999. */
export const ackSetFor = (groupVersion: string): '997' | '999' => (groupVersion.slice(0, 6) >= '005010' ? '999' : '997');

/** An ISA must come from the partner's own identity and be addressed to ours (TA1 006 / 009 otherwise). */
export function senderCheck(identity: { qualifier: string; id: string; ourQualifier: string; ourId: string }) {
  return (isa: Segment): string | undefined => {
    if (isa.elements[4] !== identity.qualifier || (isa.elements[5] ?? '').trim() !== identity.id) return interchangeNotes.invalidSenderId;
    if (isa.elements[6] !== identity.ourQualifier || (isa.elements[7] ?? '').trim() !== identity.ourId) return interchangeNotes.unknownReceiverId;
    return undefined;
  };
}
