import { groupErrors, interchangeNotes, setErrors } from './codes.ts';
import type { GroupFrame, InterchangeFrame, TransactionSet } from './envelope.ts';
import type { Segment } from './tokenize.ts';

// Envelope rules: ISA/IEA (answered in a TA1), GS/GE (AK9), ST/SE (AK5).

const idQualifiers = ['01', '02', '03', '04', '07', '08', '09', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20', '21', '22', '23', '24', '25', '26', '27', '28', '29', '30', '31', '32', '33', '34', 'NR', 'SA', 'SN', 'ZZ'];

const isaRules: [index: number, width: number, check: (v: string) => boolean, note: string][] = [
  [1, 2, (v) => ['00', '01', '02', '03', '04', '05', '06'].includes(v), interchangeNotes.invalidAuthorizationQualifier],
  [3, 2, (v) => ['00', '01'].includes(v), interchangeNotes.invalidSecurityQualifier],
  [5, 2, (v) => idQualifiers.includes(v), interchangeNotes.invalidSenderQualifier],
  [6, 15, (v) => v.trim() !== '', interchangeNotes.invalidSenderId],
  [7, 2, (v) => idQualifiers.includes(v), interchangeNotes.invalidReceiverQualifier],
  [8, 15, (v) => v.trim() !== '', interchangeNotes.invalidReceiverId],
  [9, 6, (v) => /^\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(v), interchangeNotes.invalidDate],
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
  if (isa.elements[1]?.length !== 10 || isa.elements[3]?.length !== 10) return interchangeNotes.invalidControlStructure;
  return undefined;
}

export function checkInterchangeTrailer<R>(frame: InterchangeFrame<R>): string | undefined {
  const { iea, isa } = frame;
  if (iea === undefined) return interchangeNotes.prematureEndOfFile;
  if (iea.elements[1] !== isa.elements[12]) return interchangeNotes.controlNumberMismatch;
  if (iea.elements[0] !== String(frame.groups.length)) return interchangeNotes.invalidGroupCount;
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
  if (ge.elements[0] !== String(group.sets.length)) codes.push(groupErrors.setCountMismatch);
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
  if (set.se.elements[0] !== String(set.segments.length)) codes.push(setErrors.segmentCountMismatch);
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
