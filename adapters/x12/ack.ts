import type { AckStatus } from './codes.ts';
import { element, GS, ISA } from './elements.ts';
import type { SegmentError } from './guide.ts';
import { seg, type GroupParams, type OutSegment } from './serialize.ts';
import type { Segment } from './tokenize.ts';

// What a 997/999 and a TA1 say, built from the findings; the envelope is added by interchange().

export interface SetFinding {
  st01: string;
  st02: string;
  st03?: string;
  segmentErrors: SegmentError[];
  setCodes: string[];
  status: Exclude<AckStatus, 'P'>;
}

export interface GroupFinding {
  gs: Segment;
  /** GE01 when the trailer came. */
  stated: number | undefined;
  groupCodes: string[];
  sets: SetFinding[];
  /** Everything in the group is refused because the interchange is. */
  interchangeRejected: boolean;
}

export function groupStatus(group: GroupFinding): { status: AckStatus; accepted: number } {
  const accepted = group.interchangeRejected || group.groupCodes.length > 0 ? 0 : group.sets.filter((s) => s.status !== 'R').length;
  if (accepted === 0) return { status: 'R', accepted };
  if (accepted < group.sets.length) return { status: 'P', accepted };
  return { status: group.sets.some((s) => s.status === 'E') ? 'E' : 'A', accepted };
}

/**
 * A partner's value as our acknowledgment repeats it: without control characters (a NUL would break
 * the 997 and cannot be stored) and cut to the element's maximum, so that a bad value we refuse
 * never makes our own answer invalid.
 */
export const echo = (value: string | undefined, max: number): string | undefined =>
  value === undefined ? undefined : value.replace(/[^ -~\u0080-\uffff]/g, '').slice(0, max);

function setResponse(set: SetFinding, is999: boolean, rejectedAbove: boolean): OutSegment[] {
  const [st01, st02] = [echo(set.st01, 3), echo(set.st02, 9)];
  const out: OutSegment[] = [is999 ? seg('AK2', st01, st02, echo(set.st03, 35)) : seg('AK2', st01, st02)];
  for (const error of set.segmentErrors) {
    // AK301 is 2–3 characters: a longer unknown tag is cut rather than breaking our own 997.
    out.push(seg(is999 ? 'IK3' : 'AK3', echo(error.tag, 3), error.position, undefined, error.code));
    for (const element of error.elements) {
      const position = element.component === undefined ? String(element.position) : [String(element.position), String(element.component)];
      out.push(seg(is999 ? 'IK4' : 'AK4', position, undefined, element.code, element.value?.slice(0, 99)));
    }
  }
  const status = rejectedAbove ? 'R' : set.status;
  out.push(seg(is999 ? 'IK5' : 'AK5', status, ...set.setCodes.slice(0, 5)));
  return out;
}

/** One 997 (or 999) transaction set answering one functional group. */
export function functionalAck(group: GroupFinding, kind: '997' | '999'): OutSegment[] {
  const is999 = kind === '999';
  const { gs } = group;
  const rejectedAbove = group.interchangeRejected || group.groupCodes.length > 0;
  const out: OutSegment[] = [
    is999
      ? seg('AK1', echo(element(gs, GS.functionalId), 2), echo(element(gs, GS.controlNumber), 9), echo(element(gs, GS.version), 12))
      : seg('AK1', echo(element(gs, GS.functionalId), 2), echo(element(gs, GS.controlNumber), 9)),
  ];
  for (const set of group.sets) out.push(...setResponse(set, is999, rejectedAbove));
  const { status, accepted } = groupStatus(group);
  // AK902 is GE01 as a number; when GE01 is missing or not a number, the count received.
  const stated = group.stated !== undefined && Number.isSafeInteger(group.stated) && group.stated >= 0 ? group.stated : group.sets.length;
  out.push(seg('AK9', status, stated, group.sets.length, accepted, ...group.groupCodes.slice(0, 5)));
  return out;
}

/** The ack group for a received group: sender and receiver applications swapped. */
export function ackGroup(group: GroupFinding, kind: '997' | '999', groupControl: number): GroupParams {
  return {
    functionalId: 'FA',
    version: kind === '999' ? '005010X231A1' : (echo(element(group.gs, GS.version), 6) ?? '004010'),
    groupControl,
    senderApp: echo(element(group.gs, GS.receiverApp), 15) ?? '',
    receiverApp: echo(element(group.gs, GS.senderApp), 15) ?? '',
    sets: [{ id: kind, body: functionalAck(group, kind) }],
  };
}

export function ta1(isa: Segment, status: 'A' | 'E' | 'R', note: string): OutSegment {
  return seg(
    'TA1',
    echo(element(isa, ISA.controlNumber), 9),
    echo(element(isa, ISA.date), 6),
    echo(element(isa, ISA.time), 4),
    status,
    note,
  );
}
