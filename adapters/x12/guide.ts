import { readFileSync } from 'node:fs';
import { elementErrors, segmentErrors } from './codes.ts';
import type { Segment } from './tokenize.ts';

// Implementation guides are data (mappings/x12/guides/*.json); this checks a transaction set
// against one and reports every finding in the terms a 997/999 needs.

export interface ElementRule {
  pos: number;
  req?: boolean;
  type: 'AN' | 'ID' | 'R' | 'N0' | 'N2' | 'DT' | 'TM';
  min: number;
  max: number;
  /** Name of a list in the guide's codeLists. */
  codes?: string;
}

export interface Guide {
  set: string;
  first: string;
  required: string[];
  detailStart: string;
  summaryStart?: string;
  countCheck?: { segment: string; element: number; counts: string };
  maxUse: Record<string, number>;
  areas: { heading: string[]; detail: string[]; summary: string[] };
  codeLists: Record<string, string[]>;
  elements: Record<string, ElementRule[]>;
}

export interface ElementError {
  /** 1-based position in the segment; component position for a composite. */
  position: number;
  component?: number;
  code: string;
  /** A copy of the bad value (AK404/IK404). */
  value?: string;
}

export interface SegmentError {
  tag: string;
  /** Position in the transaction set, ST = 1. */
  position: number;
  code: string;
  elements: ElementError[];
}

const guidesDir = new URL('../../mappings/x12/guides/', import.meta.url);
const cache = new Map<string, Guide | undefined>();

export function guideFor(setId: string): Guide | undefined {
  if (!cache.has(setId)) {
    let guide: Guide | undefined;
    try {
      guide = JSON.parse(readFileSync(new URL(`${setId.replace(/[^0-9A-Z]/gi, '')}.json`, guidesDir), 'utf8')) as Guide;
    } catch {
      guide = undefined;
    }
    cache.set(setId, guide);
  }
  return cache.get(setId);
}

const isDate = (value: string): boolean => {
  if (!/^\d{8}$/.test(value) && !/^\d{6}$/.test(value)) return false;
  const full = value.length === 6 ? `20${value}` : value;
  const [y, m, d] = [Number(full.slice(0, 4)), Number(full.slice(4, 6)), Number(full.slice(6, 8))];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};
const isTime = (value: string): boolean => /^([01]\d|2[0-3])[0-5]\d([0-5]\d\d*)?$/.test(value);
/** Significant length: numbers do not count their sign or decimal point. */
const significantLength = (rule: ElementRule, value: string): number => (rule.type === 'R' || rule.type.startsWith('N') ? value.replace(/[-.]/g, '').length : value.length);
const printable = /^[\x20-\x7e\u00a0-\uffff]*$/;

export function checkElement(rule: ElementRule, value: string, guide: Guide): ElementError | undefined {
  const at = { position: rule.pos };
  if (value === '') return rule.req === true ? { ...at, code: elementErrors.mandatoryMissing } : undefined;
  if (!printable.test(value)) return { ...at, code: elementErrors.invalidCharacter, value };
  switch (rule.type) {
    case 'R':
      if (!/^-?(\d+\.?\d*|\.\d+)$/.test(value)) return { ...at, code: elementErrors.invalidCharacter, value };
      break;
    case 'N0':
    case 'N2':
      if (!/^-?\d+$/.test(value)) return { ...at, code: elementErrors.invalidCharacter, value };
      break;
    case 'DT':
      if (!isDate(value)) return { ...at, code: elementErrors.invalidDate, value };
      break;
    case 'TM':
      if (!isTime(value)) return { ...at, code: elementErrors.invalidTime, value };
      break;
    default:
      break;
  }
  const length = significantLength(rule, value);
  if (length < rule.min) return { ...at, code: elementErrors.tooShort, value };
  if (length > rule.max) return { ...at, code: elementErrors.tooLong, value };
  if (rule.codes !== undefined && !(guide.codeLists[rule.codes] ?? []).includes(value)) return { ...at, code: elementErrors.invalidCode, value };
  return undefined;
}

const looksLikeSegmentId = (tag: string): boolean => /^[A-Z][A-Z0-9]{1,2}$/.test(tag);

/** Checks the segments between ST and SE (exclusive) in order. */
export function checkAgainstGuide(guide: Guide, set: { segments: Segment[] }): SegmentError[] {
  const errors: SegmentError[] = [];
  const body = set.segments.filter((s) => s.tag !== 'ST' && s.tag !== 'SE');
  const area = { heading: new Set(guide.areas.heading), detail: new Set(guide.areas.detail), summary: new Set(guide.areas.summary) };
  const uses = new Map<string, number>();
  let state: 'heading' | 'detail' | 'summary' = 'heading';
  let lastPosition = 1;
  /** Position of the last segment before the summary area began. */
  let beforeSummary: number | undefined;
  const firstComesLate = body[0]?.tag !== guide.first && body.some((s) => s.tag === guide.first);

  body.forEach((segment, index) => {
    const position = index + 2;
    const { tag } = segment;
    uses.set(tag, (uses.get(tag) ?? 0) + 1);
    if (index === 0 && tag !== guide.first && !firstComesLate) {
      errors.push({ tag: guide.first, position: 1, code: segmentErrors.mandatoryMissing, elements: [] });
    }
    if (tag === guide.detailStart && state !== 'summary') state = 'detail';
    else if (guide.summaryStart !== undefined && tag === guide.summaryStart && state !== 'summary') {
      state = 'summary';
      beforeSummary = position - 1;
    }

    const known = area.heading.has(tag) || area.detail.has(tag) || area.summary.has(tag);
    const allowedHere = area[state].has(tag) || (state === 'summary' && tag === guide.summaryStart);
    if (tag === guide.first && index > 0 && uses.get(tag) === 1) {
      // The segment that must come first is there, but later: out of sequence, not missing.
      errors.push({ tag, position, code: segmentErrors.outOfSequence, elements: [] });
    } else if (!known) {
      errors.push({ tag, position, code: looksLikeSegmentId(tag) ? segmentErrors.notInTransactionSet : segmentErrors.unrecognizedSegment, elements: [] });
    } else if (!allowedHere) {
      errors.push({ tag, position, code: segmentErrors.outOfSequence, elements: [] });
    } else if ((uses.get(tag) ?? 0) > (guide.maxUse[tag] ?? Number.POSITIVE_INFINITY)) {
      errors.push({ tag, position, code: segmentErrors.segmentOverMaximum, elements: [] });
    } else {
      const elementErrorsFound = checkElements(guide, segment);
      if (elementErrorsFound.length > 0) errors.push({ tag, position, code: segmentErrors.hasElementErrors, elements: elementErrorsFound });
    }
    lastPosition = position;
  });

  // A missing segment is reported at the last position read before the place it was due: for a
  // heading or detail segment, before the summary area when that came.
  for (const tag of guide.required) {
    if (!uses.has(tag) && !(tag === guide.first && errors.some((e) => e.tag === tag))) {
      const due = tag === guide.first ? 1 : area.summary.has(tag) ? lastPosition : (beforeSummary ?? lastPosition);
      errors.push({ tag, position: due, code: segmentErrors.mandatoryMissing, elements: [] });
    }
  }
  const count = guide.countCheck;
  if (count !== undefined) {
    const index = body.findIndex((s) => s.tag === count.segment);
    const counter = body[index];
    const stated = counter?.elements[count.element - 1];
    const actual = uses.get(count.counts) ?? 0;
    if (counter !== undefined && stated !== undefined && /^\d+$/.test(stated) && Number(stated) !== actual) {
      // X12 has no element code for "count does not match"; 7 (invalid value) with the bad value copied.
      errors.push({ tag: count.segment, position: index + 2, code: segmentErrors.hasElementErrors, elements: [{ position: count.element, code: elementErrors.invalidCode, value: stated }] });
    }
  }
  // In the order of the segments, as a partner reads the 997 (the sort is stable).
  return errors.sort((a, b) => a.position - b.position);
}

function checkElements(guide: Guide, segment: Segment): ElementError[] {
  const rules = guide.elements[segment.tag];
  if (rules === undefined) return [];
  const found: ElementError[] = [];
  for (const rule of rules) {
    const error = checkElement(rule, segment.elements[rule.pos - 1] ?? '', guide);
    if (error !== undefined) found.push(error);
  }
  return found;
}
