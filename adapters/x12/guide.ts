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

/** CCYYMMDD, or YYMMDD in this century, that is a day of the calendar (as Date.UTC counts: years 0–99 are not). */
function isDate(value: string): boolean {
  if ((value.length !== 8 && value.length !== 6) || !isDigits(value)) return false;
  const century = value.length === 8 ? 0 : 2000;
  const at = value.length - 4;
  const y = century + Number(value.slice(0, at));
  const m = Number(value.slice(at, at + 2));
  const d = Number(value.slice(at + 2));
  return y >= 100 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
}

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

function isDigits(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x30 || unit > 0x39) return false;
  }
  return true;
}
const isTime = (value: string): boolean => /^([01]\d|2[0-3])[0-5]\d([0-5]\d\d*)?$/.test(value);
/** Every UTF-16 unit printable: 0x20–0x7E or 0xA0 and up (a loop: a regex test per value was slower). */
function isPrintable(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x20 || (unit > 0x7e && unit < 0xa0)) return false;
  }
  return true;
}

/**
 * The digits of an R value, -1 when it is not one (/^-?(\d+\.?\d*|\.\d+)$/, counted by hand: two
 * of these per PO1 made the regex a visible share of the bench). The digits are its significant length.
 */
function decimalDigits(value: string): number {
  let digits = 0;
  let point = false;
  for (let i = value.charCodeAt(0) === 0x2d /* - */ ? 1 : 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0x30 && unit <= 0x39) digits++;
    else if (unit === 0x2e /* . */ && !point) point = true;
    else return -1;
  }
  return digits > 0 ? digits : -1;
}

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

/** An element rule with its code list as a Set (undefined: any value of the right form). */
interface PreparedRule {
  rule: ElementRule;
  codes: ReadonlySet<string> | undefined;
}

/** What the guide says about one segment tag that it lists in an area. */
interface TagPlace {
  heading: boolean;
  detail: boolean;
  summary: boolean;
  maxUse: number;
  /** Where this tag's uses are counted in a set's tally. */
  index: number;
  /**
   * The rules by element position (1-based), in the guide's order within a position: a segment is
   * checked element by element, and positions it does not reach cost nothing unless required.
   */
  byPosition: (PreparedRule[] | undefined)[];
  /** The required rules, by position: the ones a segment too short to reach them breaks. */
  required: PreparedRule[];
  /** Rules at a position no element can have (0, 1.5): they always see a missing value. */
  nowhere: PreparedRule[];
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
      if (tags.has(tag)) continue;
      const byPosition: (PreparedRule[] | undefined)[] = [];
      const nowhere: PreparedRule[] = [];
      for (const rule of guide.elements[tag] ?? []) {
        const prepared = { rule, codes: codeSet(guide, rule) };
        if (Number.isSafeInteger(rule.pos) && rule.pos >= 1) (byPosition[rule.pos] ??= []).push(prepared);
        else nowhere.push(prepared);
      }
      const required = byPosition.flatMap((rules) => rules?.filter(({ rule }) => rule.req === true) ?? []);
      tags.set(tag, {
        heading: heading.includes(tag),
        detail: detail.includes(tag),
        summary: summary.includes(tag),
        maxUse: guide.maxUse[tag] ?? Number.POSITIVE_INFINITY,
        index: tags.size,
        byPosition,
        required,
        nowhere,
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
  // A value that is not printable is code 6 whatever its type; a number's or date's form admits
  // only printable characters, so those are asked about printing only when the form fails.
  let length: number;
  switch (rule.type) {
    case 'R':
      length = decimalDigits(value);
      if (length < 0) return bad(rule, elementErrors.invalidCharacter, value);
      break;
    case 'N0':
    case 'N2':
      // /^-?\d+$/: the digits are the significant length.
      length = value.charCodeAt(0) === 0x2d /* - */ ? value.length - 1 : value.length;
      if (length === 0 || !isDigits(value.slice(value.length - length))) return bad(rule, elementErrors.invalidCharacter, value);
      break;
    case 'DT':
      if (!isDate(value)) return bad(rule, isPrintable(value) ? elementErrors.invalidDate : elementErrors.invalidCharacter, value);
      length = value.length;
      break;
    case 'TM':
      if (!isTime(value)) return bad(rule, isPrintable(value) ? elementErrors.invalidTime : elementErrors.invalidCharacter, value);
      length = value.length;
      break;
    case 'AN':
    case 'ID':
      if (!isPrintable(value)) return bad(rule, elementErrors.invalidCharacter, value);
      length = value.length;
      break;
    default:
      if (!isPrintable(value)) return bad(rule, elementErrors.invalidCharacter, value);
      length = significantLength(rule, value);
      break;
  }
  if (length < rule.min) return bad(rule, elementErrors.tooShort, value);
  if (length > rule.max) return bad(rule, elementErrors.tooLong, value);
  if (codes !== undefined && !codes.has(value)) return bad(rule, elementErrors.invalidCode, value);
  return undefined;
}

const looksLikeSegmentId = (tag: string): boolean => /^[A-Z][A-Z0-9]{1,2}$/.test(tag);

/** Checks the segments between ST and SE (exclusive) in order. */
export function checkAgainstGuide(guide: Guide, set: { segments: Segment[] }): SegmentError[] {
  const errors: SegmentError[] = [];
  const { segments } = set;
  const ready = prepare(guide);
  // Uses per tag: the guide's tags in an array, any other tag (only ever an error) in a Map.
  const uses: number[] = new Array<number>(ready.tags.size).fill(0);
  let otherUses: Map<string, number> | undefined;
  const usesOf = (tag: string): number => {
    const place = ready.tags.get(tag);
    return place === undefined ? (otherUses?.get(tag) ?? 0) : (uses[place.index] as number);
  };
  let state: Area = 'heading';
  let lastPosition = 1;
  /** Position of the last segment before the summary area began. */
  let beforeSummary: number | undefined;
  const count = guide.countCheck;
  /** Where the count check's segment first came (its index among the segments checked). */
  let counterIndex = -1;

  // The body is every segment but ST and SE, counted from 0 as it is read.
  let index = -1;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as Segment;
    const { tag } = segment;
    if (tag === 'ST' || tag === 'SE') continue;
    index++;
    const position = index + 2;
    const place = ready.tags.get(tag);
    let used: number;
    if (place !== undefined) used = ++(uses[place.index] as number);
    else {
      otherUses ??= new Map();
      used = (otherUses.get(tag) ?? 0) + 1;
      otherUses.set(tag, used);
    }
    if (count !== undefined && counterIndex === -1 && tag === count.segment) counterIndex = index;
    if (index === 0 && tag !== guide.first && !comesLater(segments, i + 1, guide.first)) {
      errors.push({ tag: guide.first, position: 1, code: segmentErrors.mandatoryMissing, elements: [] });
    }
    if (tag === guide.detailStart && state !== 'summary') state = 'detail';
    else if (guide.summaryStart !== undefined && tag === guide.summaryStart && state !== 'summary') {
      state = 'summary';
      beforeSummary = position - 1;
    }

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
      const elementErrorsFound = checkElements(place, segment);
      if (elementErrorsFound !== undefined)
        errors.push({ tag, position, code: segmentErrors.hasElementErrors, elements: elementErrorsFound });
    }
    lastPosition = position;
  }

  // A missing segment is reported at the last position read before the place it was due: for a
  // heading or detail segment, before the summary area when that came.
  for (const tag of guide.required) {
    if (usesOf(tag) === 0 && !(tag === guide.first && errors.some((e) => e.tag === tag))) {
      const due = tag === guide.first ? 1 : ready.summary.has(tag) ? lastPosition : (beforeSummary ?? lastPosition);
      errors.push({ tag, position: due, code: segmentErrors.mandatoryMissing, elements: [] });
    }
  }
  if (count !== undefined && counterIndex !== -1) {
    const counter = bodySegment(segments, counterIndex);
    const stated = element(counter, count.element);
    const actual = usesOf(count.counts);
    if (stated !== undefined && /^\d+$/.test(stated) && Number(stated) !== actual) {
      // X12 has no element code for "count does not match"; 7 (invalid value) with the bad value copied.
      errors.push({
        tag: count.segment,
        position: counterIndex + 2,
        code: segmentErrors.hasElementErrors,
        elements: [{ position: count.element, code: elementErrors.invalidCode, value: stated }],
      });
    }
  }
  // In the order of the segments, as a partner reads the 997 (the sort is stable).
  return errors.sort((a, b) => a.position - b.position);
}

/** Whether a segment other than ST and SE with this tag comes at or after `from`. */
function comesLater(segments: Segment[], from: number, tag: string): boolean {
  for (let i = from; i < segments.length; i++) if ((segments[i] as Segment).tag === tag && tag !== 'ST' && tag !== 'SE') return true;
  return false;
}

/** The body's segment at `index`, ST and SE not counted. */
function bodySegment(segments: Segment[], index: number): Segment {
  let seen = -1;
  for (const segment of segments) if (segment.tag !== 'ST' && segment.tag !== 'SE' && ++seen === index) return segment;
  throw new Error(`no segment ${index} in the body`);
}

/**
 * The segment's element findings, in position order, or undefined when it has none (no array for a
 * good segment). Elements no rule names are kept as data (extras, descriptions): a NUL in one (the
 * tokenizer passes every byte but the delimiters) is code 6 too, since no text column can hold it.
 */
function checkElements(place: TagPlace, segment: Segment): ElementError[] | undefined {
  let found: ElementError[] | undefined;
  const { elements } = segment;
  const { byPosition } = place;
  for (let i = 0; i < elements.length; i++) {
    const value = elements[i] as string;
    const rules = byPosition[i + 1];
    if (rules === undefined) {
      if (value !== '' && value.indexOf('\0') !== -1) (found ??= []).push({ position: i + 1, code: elementErrors.invalidCharacter });
      continue;
    }
    for (let r = 0; r < rules.length; r++) {
      const { rule, codes } = rules[r] as PreparedRule;
      const error = checkValue(rule, value, codes);
      if (error !== undefined) (found ??= []).push(error);
    }
  }
  // Past the segment's last element every value is missing: only a required rule finds anything.
  for (const { rule } of place.required)
    if (rule.pos > elements.length) (found ??= []).push({ position: rule.pos, code: elementErrors.mandatoryMissing });
  if (place.nowhere.length === 0) return found;
  for (const { rule, codes } of place.nowhere) {
    const error = checkValue(rule, '', codes);
    if (error !== undefined) (found ??= []).push(error);
  }
  return found?.sort((a, b) => a.position - b.position);
}
