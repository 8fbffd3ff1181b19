import { ackGroup, echo, ta1 } from './ack.ts';
import { ackSetFor } from './check-envelope.ts';
import { element, GS, ISA } from './elements.ts';
import type { InterchangeOutcome } from './read.ts';
import { interchange, serialize, type OutSegment } from './serialize.ts';

// The acknowledgment interchange for one received interchange: a TA1 when asked for (ISA14=1) or
// when the interchange itself is refused, and a 997/999 per functional group unless the envelope
// was unreadable enough that nothing could be checked.

export interface AckControl {
  interchangeControl: number;
  /** The first group control number; each answered group takes the next one. */
  groupControl: number;
  at: Date;
}

export interface AckDocument {
  text: string;
  segments: OutSegment[];
  kinds: ('TA1' | '997' | '999')[];
  groupsUsed: number;
}

/** How many group control numbers an acknowledgment for this interchange will use. */
export const groupsNeeded = <O>(outcome: InterchangeOutcome<O>): number => (answersGroups(outcome) ? outcome.groups.length : 0);

/** Sender or receiver refused, or a broken ISA: only a TA1 makes sense. */
const answersGroups = <O>(outcome: InterchangeOutcome<O>): boolean =>
  outcome.rejection === undefined || ['001', '021', '023', '024'].includes(outcome.rejection);

export function acknowledge<O>(outcome: InterchangeOutcome<O>, control: AckControl): AckDocument {
  const { isa } = outcome;
  const preamble: OutSegment[] = [];
  const kinds: AckDocument['kinds'] = [];
  if (outcome.rejection !== undefined || outcome.ackRequested) {
    preamble.push(ta1(isa, outcome.rejection === undefined ? 'A' : 'R', outcome.rejection ?? '000'));
    kinds.push('TA1');
  }
  const groups = answersGroups(outcome)
    ? outcome.groups.map((group, index) => {
        const kind = ackSetFor(element(group.gs, GS.version) ?? '');
        if (!kinds.includes(kind)) kinds.push(kind);
        return ackGroup(group, kind, control.groupControl + index);
      })
    : [];
  // Answered in the version it came in, when that is one (a refused ISA12 may hold anything).
  const sent = element(isa, ISA.version) ?? '';
  const version = /^\d{5}$/.test(sent) ? sent : '00401';
  const segments = interchange(
    {
      sender: { qualifier: echo(element(isa, ISA.receiverQualifier), 2) ?? 'ZZ', id: echo(element(isa, ISA.receiver), 15)?.trim() ?? '' },
      receiver: { qualifier: echo(element(isa, ISA.senderQualifier), 2) ?? 'ZZ', id: echo(element(isa, ISA.sender), 15)?.trim() ?? '' },
      interchangeControl: control.interchangeControl,
      interchangeVersion: version,
      at: control.at,
      usage: element(isa, ISA.usage) === 'T' ? 'T' : 'P',
    },
    groups,
    preamble,
  );
  return { text: serialize(segments), segments, kinds, groupsUsed: groups.length };
}
