import type { GroupFinding, SetFinding } from './ack.ts';
import {
  elementErrorMeanings,
  groupErrorMeanings,
  interchangeNoteMeanings,
  segmentErrorMeanings,
  setErrorMeanings,
  setErrors,
} from './codes.ts';
import { element, GS, ISA } from './elements.ts';
import type { ElementError, SegmentError } from './guide.ts';
import type { InterchangeOutcome } from './read.ts';

// Why each rejected part of an interchange was rejected, one line each and in words, with the codes an
// acknowledgment carries: what `ordergate x12` prints. The 997/999 says the same in codes only.

/** 7 "invalid code value": the code and its words (the code alone for one not listed). */
const coded = (table: Record<string, string>, code: string): string => {
  const words = table[code];
  return words === undefined ? code : `${code} "${words}"`;
};
const meaning = (table: Record<string, string>, code: string): string => `code ${coded(table, code)}`;

/** PO102, or PO103-2 for a component of a composite. */
const elementName = (tag: string, error: ElementError): string =>
  `${tag}${String(error.position).padStart(2, '0')}${error.component === undefined ? '' : `-${error.component}`}`;

function segmentLines(error: SegmentError): string[] {
  const segment = `${error.tag} (segment ${error.position})`;
  // Code 8 (has data element errors) says no more than its elements do.
  if (error.elements.length === 0) return [`${segment}: ${meaning(segmentErrorMeanings, error.code)}`];
  return error.elements.map(
    (bad) =>
      `${segment} element ${elementName(error.tag, bad)}: ${meaning(elementErrorMeanings, bad.code)}${bad.value === undefined ? '' : ` — value ${JSON.stringify(bad.value)}`}`,
  );
}

/** The set's own reasons: its segments' and elements' errors, then its set codes (5 goes without saying when segments are listed). */
function setReasons(set: SetFinding): string[] {
  const reasons = set.segmentErrors.flatMap(segmentLines);
  for (const code of set.setCodes) {
    if (code === setErrors.segmentsInError && set.segmentErrors.length > 0) continue;
    reasons.push(
      code === setErrors.notSupported
        ? `${meaning(setErrorMeanings, code)} — ST01 is ${set.st01 === '' ? 'empty' : set.st01}`
        : meaning(setErrorMeanings, code),
    );
  }
  return reasons;
}

/** "; its set 0001 is rejected with it", "; its 3 sets (0001, 0002, 0003) are …" (the numbers of up to 5). */
function withIt(sets: SetFinding[]): string {
  if (sets.length === 0) return '';
  if (sets.length === 1) return `; its set ${sets[0]?.st02} is rejected with it`;
  return `; its ${sets.length} sets${sets.length <= 5 ? ` (${sets.map((s) => s.st02).join(', ')})` : ''} are rejected with it`;
}

/** Every reason something in this interchange was rejected; none when all of it was accepted. */
export function rejectionReasons<O>(outcome: InterchangeOutcome<O>): string[] {
  const isa13 = element(outcome.isa, ISA.controlNumber)?.trim() || '(no ISA13)';
  const lines: string[] = [];
  const allSets = outcome.groups.flatMap((group) => group.sets);
  if (outcome.rejection !== undefined) {
    lines.push(
      `interchange ${isa13} rejected: TA1 note ${coded(interchangeNoteMeanings, outcome.rejection)}${withIt(allSets)} (at byte ${outcome.offset})`,
    );
  }
  for (const group of outcome.groups) for (const line of groupLines(group, isa13)) lines.push(line);
  return lines;
}

function groupLines(group: GroupFinding, isa13: string): string[] {
  const gs06 = element(group.gs, GS.controlNumber) || '(no GS06)';
  const where = `(interchange ${isa13}, group ${gs06})`;
  const lines: string[] = [];
  if (group.groupCodes.length > 0) {
    const codes = group.groupCodes.map((code) => meaning(groupErrorMeanings, code)).join(', ');
    lines.push(`group ${gs06} rejected: ${codes}${withIt(group.sets)} (interchange ${isa13})`);
  }
  for (const set of group.sets) {
    if (set.status !== 'R') continue;
    for (const reason of setReasons(set)) lines.push(`set ${set.st02 || '(no ST02)'} rejected: ${reason} ${where}`);
  }
  return lines;
}

/** Sets in the interchange, and how many of them were rejected (on their own or with their group or interchange). */
export function setCounts<O>(outcome: InterchangeOutcome<O>): { sets: number; rejected: number } {
  let sets = 0;
  let rejected = 0;
  for (const group of outcome.groups) {
    const all = outcome.rejection !== undefined || group.groupCodes.length > 0;
    sets += group.sets.length;
    rejected += all ? group.sets.length : group.sets.filter((set) => set.status === 'R').length;
  }
  return { sets, rejected };
}
