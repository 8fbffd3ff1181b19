import type { AckStatus } from './codes.ts';
import { element, GS, ISA } from './elements.ts';
import type { SegmentError } from './guide.ts';
import { defaultDelimiters, seg, writeSegment, type GroupParams, type OutSegment, type WrittenSet } from './serialize.ts';
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
export function echo(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const cut = value.replace(/[^ -~\u0080-\uffff]/g, '').slice(0, max);
  // Not half of a character outside the BMP: a lone surrogate cannot be stored or sent as UTF-8.
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** AK2 … AK5 (IK… in a 999) for one set: a few segments, and one per error found in it. */
export function setResponse(set: SetFinding, is999: boolean, rejectedAbove: boolean): OutSegment[] {
  const [st01, st02] = [echo(set.st01, 3), echo(set.st02, 9)];
  const out: OutSegment[] = [is999 ? seg('AK2', st01, st02, echo(set.st03, 35)) : seg('AK2', st01, st02)];
  for (const error of set.segmentErrors) {
    // AK301 is 2–3 characters: a longer unknown tag is cut rather than breaking our own 997.
    out.push(seg(is999 ? 'IK3' : 'AK3', echo(error.tag, 3), error.position, undefined, error.code));
    for (const element of error.elements) {
      const position = element.component === undefined ? String(element.position) : [String(element.position), String(element.component)];
      out.push(seg(is999 ? 'IK4' : 'AK4', position, undefined, element.code, echo(element.value, 99)));
    }
  }
  const status = rejectedAbove ? 'R' : set.status;
  out.push(seg(is999 ? 'IK5' : 'AK5', status, ...set.setCodes.slice(0, 5)));
  return out;
}

/** AK1: the group answered. */
export function ackOpening(group: GroupFinding, kind: '997' | '999'): OutSegment {
  const { gs } = group;
  return kind === '999'
    ? seg('AK1', echo(element(gs, GS.functionalId), 2), echo(element(gs, GS.controlNumber), 9), echo(element(gs, GS.version), 12))
    : seg('AK1', echo(element(gs, GS.functionalId), 2), echo(element(gs, GS.controlNumber), 9));
}

/** Whether every set of the group is refused because the group or the interchange is. */
export const rejectedAbove = (group: GroupFinding): boolean => group.interchangeRejected || group.groupCodes.length > 0;

/** AK9: the group's verdict and its counts. */
export function ackClosing(group: GroupFinding): OutSegment {
  const { status, accepted } = groupStatus(group);
  // AK902 is GE01 as a number; when GE01 is missing or not a number, the count received.
  const stated = group.stated !== undefined && Number.isSafeInteger(group.stated) && group.stated >= 0 ? group.stated : group.sets.length;
  return seg('AK9', status, stated, group.sets.length, accepted, ...group.groupCodes.slice(0, 5));
}

/**
 * One 997 (or 999) transaction set answering one functional group, written as text one set at a
 * time: a group may hold any number of sets, so the caller decides when to pause between them.
 */
export function functionalAckWriter(group: GroupFinding, kind: '997' | '999') {
  const is999 = kind === '999';
  const above = rejectedAbove(group);
  const parts: string[] = [];
  const write = (segment: OutSegment): void => {
    parts.push(writeSegment(segment, defaultDelimiters));
  };
  write(ackOpening(group, kind));
  return {
    set(set: SetFinding): void {
      for (const segment of setResponse(set, is999, above)) write(segment);
    },
    end(): WrittenSet {
      write(ackClosing(group));
      return { id: kind, text: parts.join(''), segmentCount: parts.length };
    },
  };
}

/** The ack group for a received group, around its written 997/999: sender and receiver applications swapped. */
export function ackGroup(group: GroupFinding, kind: '997' | '999', groupControl: number, ack: WrittenSet): GroupParams<WrittenSet> {
  return {
    functionalId: 'FA',
    version: kind === '999' ? '005010X231A1' : (echo(element(group.gs, GS.version), 6) ?? '004010'),
    groupControl,
    senderApp: echo(element(group.gs, GS.receiverApp), 15) ?? '',
    receiverApp: echo(element(group.gs, GS.senderApp), 15) ?? '',
    sets: [ack],
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
