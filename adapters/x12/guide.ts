import { readFileSync } from 'node:fs';
import { packageFile } from '../../package-files.ts';
import { elementErrors, segmentErrors } from './codes.ts';
import { element } from './elements.ts';
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

const guidesDir = packageFile('mappings/x12/guides/');
const byName = new Map<string, Guide>();
/** Sets known to have no guide, so that each one is looked for once. */
const noGuide = new Set<string>();

/**
 * A guide file as written: a partner's own guide names the one it narrows in `extends` and gives
 * only what differs (its code lists, and element rules by position: a rule's fields over the base's).
 */
type GuideFile = Partial<Omit<Guide, 'elements'>> & { extends?: string; elements?: Record<string, Partial<ElementRule>[]> };

/** The guide in mappings/x12/guides/<name>.json, with what it `extends` under it. Throws when there is none. */
export function loadGuide(name: string): Guide {
  const cached = byName.get(name);
  if (cached !== undefined) return cached;
  if (!/^[a-z0-9-]+$/i.test(name)) throw new Error(`guide name "${name}" may hold only letters, digits and dashes`);
  const own = JSON.parse(readFileSync(new URL(`${name}.json`, guidesDir), 'utf8')) as GuideFile;
  const guide = own.extends === undefined ? (own as Guide) : narrow(loadGuide(own.extends), own);
  byName.set(name, guide);
  return guide;
}

function narrow(base: Guide, own: GuideFile): Guide {
  const { extends: _base, codeLists, elements, ...rest } = own;
  const merged: Record<string, ElementRule[]> = { ...base.elements };
  for (const [tag, rules] of Object.entries(elements ?? {})) {
    const byPos = new Map((base.elements[tag] ?? []).map((rule) => [rule.pos, rule]));
    for (const rule of rules) {
      const pos = rule.pos as number;
      byPos.set(pos, { ...byPos.get(pos), ...rule } as ElementRule);
    }
    merged[tag] = [...byPos.values()].sort((a, b) => a.pos - b.pos);
  }
  return { ...base, ...rest, codeLists: { ...base.codeLists, ...codeLists }, elements: merged };
}

/** The default guide for a transaction set (mappings/x12/guides/<set>.json); undefined for a set without one. */
export function guideFor(setId: string): Guide | undefined {
  const name = setId.replace(/[^0-9A-Z]/gi, '');
  if (name === '' || noGuide.has(name)) return undefined;
  try {
    return loadGuide(name);
  } catch {
    noGuide.add(name);
    return undefined;
  }
}

const isDate = (value: string): boolean => {
  if (!/^\d{8}$/.test(value) && !/^\d{6}$/.test(value)) return false;
  const full = value.length === 6 ? `20${value}` : value;
  const [y, m, d] = [Number(full.slice(0, 4)), Number(full.slice(4, 6)), Number(full.slice(6, 8))];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};
const isTime = (value: string): boolean => /^([01]\d|2[0-3])[0-5]\d([0-5]\d\d*)?$/.test(value);
/** Every UTF-16 unit printable: 0x20–0x7E or 0xA0 and up (a loop: a regex test per value was slower). */
function isPrintable(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x20 || (unit > 0x7e && unit < 0xa0)) return false;
  }
  return true;
}
const decimal = /^-?(\d+\.?\d*|\.\d+)$/;
const integer = /^-?\d+$/;

/** Significant length: numbers do not count their sign or decimal point (counted, not a regex replace). */
function significantLength(rule: ElementRule, value: string): number {
  if (rule.type !== 'R' && !rule.type.startsWith('N')) return value.length;
  let length = 0;
  for (let i = 0; i < value.length; i++) {
    const char = value.charCodeAt(i);
    if (char !== 0x2d /* - */ && char !== 0x2e /* . */) length++;
  }
  return length;
}

type Area = 'heading' | 'detail' | 'summary';

/** What the guide says about one segment tag that it lists in an area. */
interface TagPlace {
  heading: boolean;
  detail: boolean;
  summary: boolean;
  maxUse: number;
  /** Each element rule with its code list as a Set (undefined: any value of the right form). */
  rules: { rule: ElementRule; codes: ReadonlySet<string> | undefined }[] | undefined;
}

/** A guide ready to check against: one lookup per segment, Sets for its lists, built once per guide rather than per set. */
interface PreparedGuide {
  /** Only the tags of the guide's areas: a tag not in it is unknown to the set. */
  tags: ReadonlyMap<string, TagPlace>;
  summary: ReadonlySet<string>;
}

const preparedGuides = new WeakMap<Guide, PreparedGuide>();

function prepare(guide: Guide): PreparedGuide {
  let ready = preparedGuides.get(guide);
  if (ready === undefined) {
    const { heading, detail, summary } = guide.areas;
    const tags = new Map<string, TagPlace>();
    for (const tag of [...heading, ...detail, ...summary]) {
      const rules = guide.elements[tag]?.map((rule) => ({ rule, codes: codeSet(guide, rule) }));
      tags.set(tag, {
        heading: heading.includes(tag),
        detail: detail.includes(tag),
        summary: summary.includes(tag),
        maxUse: guide.maxUse[tag] ?? Number.POSITIVE_INFINITY,
        rules,
      });
    }
    ready = { tags, summary: new Set(summary) };
    preparedGuides.set(guide, ready);
  }
  return ready;
}

/** The rule's code list as a Set; an unknown list name admits no value, as it always has. */
const codeSet = (guide: Guide, rule: ElementRule): ReadonlySet<string> | undefined =>
  rule.codes === undefined ? undefined : new Set(guide.codeLists[rule.codes] ?? []);

export function checkElement(rule: ElementRule, value: string, guide: Guide): ElementError | undefined {
  return checkValue(rule, value, codeSet(guide, rule));
}

/** The finding for a bad value; built only when there is one (most values are good). */
const bad = (rule: ElementRule, code: string, value: string): ElementError =>
  // AK404 copies the bad value, but a value with control characters cannot travel in our own 997 (nor be stored).
  isPrintable(value) ? { position: rule.pos, code, value } : { position: rule.pos, code };

function checkValue(rule: ElementRule, value: string, codes: ReadonlySet<string> | undefined): ElementError | undefined {
  if (value === '') return rule.req === true ? { position: rule.pos, code: elementErrors.mandatoryMissing } : undefined;
  if (!isPrintable(value)) return bad(rule, elementErrors.invalidCharacter, value);
  switch (rule.type) {
    case 'R':
      if (!decimal.test(value)) return bad(rule, elementErrors.invalidCharacter, value);
      break;
    case 'N0':
    case 'N2':
      if (!integer.test(value)) return bad(rule, elementErrors.invalidCharacter, value);
      break;
    case 'DT':
      if (!isDate(value)) return bad(rule, elementErrors.invalidDate, value);
      break;
    case 'TM':
      if (!isTime(value)) return bad(rule, elementErrors.invalidTime, value);
      break;
    default:
      break;
  }
  const length = significantLength(rule, value);
  if (length < rule.min) return bad(rule, elementErrors.tooShort, value);
  if (length > rule.max) return bad(rule, elementErrors.tooLong, value);
  if (codes !== undefined && !codes.has(value)) return bad(rule, elementErrors.invalidCode, value);
  return undefined;
}

const looksLikeSegmentId = (tag: string): boolean => /^[A-Z][A-Z0-9]{1,2}$/.test(tag);

/** Checks the segments between ST and SE (exclusive) in order. */
export function checkAgainstGuide(guide: Guide, set: { segments: Segment[] }): SegmentError[] {
  const errors: SegmentError[] = [];
  const body = set.segments.filter((s) => s.tag !== 'ST' && s.tag !== 'SE');
  const ready = prepare(guide);
  const uses = new Map<string, number>();
  let state: Area = 'heading';
  let lastPosition = 1;
  /** Position of the last segment before the summary area began. */
  let beforeSummary: number | undefined;
  const firstComesLate = body[0]?.tag !== guide.first && body.some((s) => s.tag === guide.first);

  body.forEach((segment, index) => {
    const position = index + 2;
    const { tag } = segment;
    const used = (uses.get(tag) ?? 0) + 1;
    uses.set(tag, used);
    if (index === 0 && tag !== guide.first && !firstComesLate) {
      errors.push({ tag: guide.first, position: 1, code: segmentErrors.mandatoryMissing, elements: [] });
    }
    if (tag === guide.detailStart && state !== 'summary') state = 'detail';
    else if (guide.summaryStart !== undefined && tag === guide.summaryStart && state !== 'summary') {
      state = 'summary';
      beforeSummary = position - 1;
    }

    const place = ready.tags.get(tag);
    const allowedHere = (place !== undefined && place[state]) || (state === 'summary' && tag === guide.summaryStart);
    if (tag === guide.first && index > 0 && used === 1) {
      // The segment that must come first is there, but later: out of sequence, not missing.
      errors.push({ tag, position, code: segmentErrors.outOfSequence, elements: [] });
    } else if (place === undefined) {
      errors.push({
        tag,
        position,
        code: looksLikeSegmentId(tag) ? segmentErrors.notInTransactionSet : segmentErrors.unrecognizedSegment,
        elements: [],
      });
    } else if (!allowedHere) {
      errors.push({ tag, position, code: segmentErrors.outOfSequence, elements: [] });
    } else if (used > place.maxUse) {
      errors.push({ tag, position, code: segmentErrors.segmentOverMaximum, elements: [] });
    } else {
      const elementErrorsFound = checkElements(place.rules, segment);
      if (elementErrorsFound !== undefined)
        errors.push({ tag, position, code: segmentErrors.hasElementErrors, elements: elementErrorsFound });
    }
    lastPosition = position;
  });

  // A missing segment is reported at the last position read before the place it was due: for a
  // heading or detail segment, before the summary area when that came.
  for (const tag of guide.required) {
    if (!uses.has(tag) && !(tag === guide.first && errors.some((e) => e.tag === tag))) {
      const due = tag === guide.first ? 1 : ready.summary.has(tag) ? lastPosition : (beforeSummary ?? lastPosition);
      errors.push({ tag, position: due, code: segmentErrors.mandatoryMissing, elements: [] });
    }
  }
  const count = guide.countCheck;
  if (count !== undefined) {
    const index = body.findIndex((s) => s.tag === count.segment);
    const counter = body[index];
    const stated = counter === undefined ? undefined : element(counter, count.element);
    const actual = uses.get(count.counts) ?? 0;
    if (counter !== undefined && stated !== undefined && /^\d+$/.test(stated) && Number(stated) !== actual) {
      // X12 has no element code for "count does not match"; 7 (invalid value) with the bad value copied.
      errors.push({
        tag: count.segment,
        position: index + 2,
        code: segmentErrors.hasElementErrors,
        elements: [{ position: count.element, code: elementErrors.invalidCode, value: stated }],
      });
    }
  }
  // In the order of the segments, as a partner reads the 997 (the sort is stable).
  return errors.sort((a, b) => a.position - b.position);
}

/**
 * The segment's element findings, or undefined when it has none (no array for a good segment).
 * Elements no rule names are kept as data (extras, descriptions): a NUL in one (the tokenizer passes
 * every byte but the delimiters) is code 6 too, since no text column can hold it.
 */
function checkElements(rules: TagPlace['rules'], segment: Segment): ElementError[] | undefined {
  let found: ElementError[] | undefined;
  for (const { rule, codes } of rules ?? []) {
    const error = checkValue(rule, element(segment, rule.pos) ?? '', codes);
    if (error !== undefined) (found ??= []).push(error);
  }
  const { elements } = segment;
  for (let i = 0; i < elements.length; i++) {
    if ((elements[i] as string).indexOf('\0') === -1) continue;
    const position = i + 1;
    if (rules?.some(({ rule }) => rule.pos === position) !== true) (found ??= []).push({ position, code: elementErrors.invalidCharacter });
  }
  return found?.sort((a, b) => a.position - b.position);
}
