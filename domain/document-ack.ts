// What a partner said about a document we sent it: its 997/999 (or TA1) read into plain terms, and
// the state an outbound document is in until then (none yet, or overdue once the wait is over).

export type DocumentAckState = 'accepted' | 'accepted-with-errors' | 'rejected' | 'overdue';

/** One element at fault (AK4/IK4). */
export interface AckElementError {
  /** AK401/IK401 as sent: the position, and for a composite ":component" (and ":repetition"). */
  position: string;
  /** AK402/IK402, the data element reference number, when given. */
  reference?: string;
  code: string;
  /** AK404/IK404, the bad value as the partner copied it. */
  value?: string;
}

/** One segment at fault (AK3/IK3) with its elements. */
export interface AckSegmentError {
  segment: string;
  position: string;
  loop?: string;
  code?: string;
  elements: AckElementError[];
}

/** What the partner said about one of our transaction sets (AK2..AK5) or, without AK2, about the whole group (AK9). */
export interface AckSetVerdict {
  setId?: string;
  /** AK202: ST02 of our set. */
  stControlNumber?: string;
  /** AK501/IK501, or AK901 for the group: A, E, P, R, M, W, X. */
  status: string;
  codes: string[];
  errors: AckSegmentError[];
}

/** One AK1 loop: our group (GS06) and the verdict on each of its sets. */
export interface GroupAck {
  kind: '997' | '999';
  functionalId: string;
  gsControlNumber: string;
  /** AK901 and its codes; the counts as the partner gave them. */
  status: string;
  codes: string[];
  counts: { included?: number; received?: number; accepted?: number };
  sets: AckSetVerdict[];
}

/** A TA1: the verdict on our interchange (ISA13) as a whole. */
export interface InterchangeAck {
  kind: 'TA1';
  isaControlNumber: string;
  date?: string;
  time?: string;
  status: string;
  note: string;
}

export type ReceivedAck = GroupAck | InterchangeAck;

/** An AK5/AK9/TA1 status as the state of the document it is about. */
export function ackStateOf(status: string): Exclude<DocumentAckState, 'overdue'> {
  if (status === 'A') return 'accepted';
  // E: accepted with errors; P (a group): partially accepted, so this set, unlisted, was taken.
  if (status === 'E' || status === 'P') return 'accepted-with-errors';
  return 'rejected';
}

/**
 * The verdict on one of our sets from a group acknowledgment: its own AK2 loop when there is one
 * (by ST02), else the group's AK9, where a set not listed under a partly accepted group was accepted.
 */
export function verdictFor(group: GroupAck, stControlNumber: string | undefined): AckSetVerdict {
  const own = group.sets.find((set) => set.stControlNumber !== undefined && set.stControlNumber === stControlNumber);
  if (own !== undefined) return own;
  if (group.sets.length === 1 && stControlNumber === undefined) return group.sets[0] as AckSetVerdict;
  const status = group.status === 'R' ? 'R' : group.status === 'E' ? 'E' : 'A';
  return { status, codes: group.status === 'R' ? group.codes : [], errors: [] };
}
