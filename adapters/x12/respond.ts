import { ackGroup, echo, functionalAckWriter, ta1, type GroupFinding } from './ack.ts';
import { ackSetFor } from './check-envelope.ts';
import { element, GS, ISA } from './elements.ts';
import type { InterchangeOutcome } from './read.ts';
import { writeInterchange, type OutSegment, type WrittenSet } from './serialize.ts';
import { inSlices } from './slices.ts';

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
  kinds: ('TA1' | '997' | '999')[];
  groupsUsed: number;
}

/** How many group control numbers an acknowledgment for this interchange will use. */
export const groupsNeeded = <O>(outcome: InterchangeOutcome<O>): number => (answersGroups(outcome) ? outcome.groups.length : 0);

/** Sender or receiver refused, or a broken ISA: only a TA1 makes sense. */
const answersGroups = <O>(outcome: InterchangeOutcome<O>): boolean =>
  outcome.rejection === undefined || ['001', '021', '023', '024'].includes(outcome.rejection);

/** Writes an acknowledgment once its control numbers are known: the envelope around the written bodies. */
export type FinishAck = (control: AckControl) => AckDocument;

interface Answered {
  group: GroupFinding;
  kind: '997' | '999';
}

/** What an acknowledgment holds before its bodies are written. */
function plan<O>(outcome: InterchangeOutcome<O>): { preamble: OutSegment[]; kinds: AckDocument['kinds']; answered: Answered[] } {
  const preamble: OutSegment[] = [];
  const kinds: AckDocument['kinds'] = [];
  if (outcome.rejection !== undefined || outcome.ackRequested) {
    preamble.push(ta1(outcome.isa, outcome.rejection === undefined ? 'A' : 'R', outcome.rejection ?? '000'));
    kinds.push('TA1');
  }
  const answered = answersGroups(outcome)
    ? outcome.groups.map((group) => {
        const kind = ackSetFor(element(group.gs, GS.version) ?? '');
        if (!kinds.includes(kind)) kinds.push(kind);
        return { group, kind };
      })
    : [];
  return { preamble, kinds, answered };
}

function finisher<O>(
  outcome: InterchangeOutcome<O>,
  preamble: OutSegment[],
  kinds: AckDocument['kinds'],
  bodies: { answered: Answered; ack: WrittenSet }[],
): FinishAck {
  const { isa } = outcome;
  // Answered in the version it came in, when that is one (a refused ISA12 may hold anything).
  const sent = element(isa, ISA.version) ?? '';
  const version = /^\d{5}$/.test(sent) ? sent : '00401';
  return (control) => {
    const text = writeInterchange(
      {
        sender: { qualifier: echo(element(isa, ISA.receiverQualifier), 2) ?? 'ZZ', id: echo(element(isa, ISA.receiver), 15)?.trim() ?? '' },
        receiver: { qualifier: echo(element(isa, ISA.senderQualifier), 2) ?? 'ZZ', id: echo(element(isa, ISA.sender), 15)?.trim() ?? '' },
        interchangeControl: control.interchangeControl,
        interchangeVersion: version,
        at: control.at,
        usage: element(isa, ISA.usage) === 'T' ? 'T' : 'P',
      },
      bodies.map(({ answered, ack }, index) => ackGroup(answered.group, answered.kind, control.groupControl + index, ack)),
      preamble,
    );
    return { text, kinds, groupsUsed: bodies.length };
  };
}

/** The acknowledgment, written at once (the offline tools, tests). */
export function acknowledge<O>(outcome: InterchangeOutcome<O>, control: AckControl): AckDocument {
  const { preamble, kinds, answered } = plan(outcome);
  const bodies = answered.map((a) => {
    const writer = functionalAckWriter(a.group, a.kind);
    for (const set of a.group.sets) writer.set(set);
    return { answered: a, ack: writer.end() };
  });
  return finisher(outcome, preamble, kinds, bodies)(control);
}

/**
 * The same acknowledgment as acknowledge(), its 997/999 bodies written now, in slices that give the
 * event loop a turn, and its envelope once the control numbers are taken (a few segments: no
 * waiting while the partner's counters are locked). Reads the findings as they are now.
 */
export async function prepareAcknowledgment<O>(outcome: InterchangeOutcome<O>): Promise<FinishAck> {
  const { preamble, kinds, answered } = plan(outcome);
  const bodies: { answered: Answered; ack: WrittenSet }[] = [];
  for (const a of answered) {
    const writer = functionalAckWriter(a.group, a.kind);
    await inSlices(a.group.sets, (set) => writer.set(set));
    bodies.push({ answered: a, ack: writer.end() });
  }
  return finisher(outcome, preamble, kinds, bodies);
}
