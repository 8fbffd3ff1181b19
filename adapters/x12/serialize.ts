// Writing X12: segments to text, and the ISA/GS/ST envelopes around transaction sets.

/** A composite element is its components. */
export type OutElement = string | readonly string[];
export interface OutSegment {
  tag: string;
  elements: readonly OutElement[];
}

export interface OutDelimiters {
  element: string;
  component: string;
  repetition: string;
  segment: string;
  /** Written after each terminator, e.g. "\n" so that people can read the file. */
  suffix: string;
}

export const defaultDelimiters: OutDelimiters = { element: '*', component: '>', repetition: '^', segment: '~', suffix: '\n' };

export const seg = (tag: string, ...elements: (OutElement | number | undefined)[]): OutSegment => ({
  tag,
  elements: elements.map((e) => (e === undefined ? '' : typeof e === 'number' ? String(e) : e)),
});

/**
 * X12 has no escape character: a delimiter inside a value (a note, a name, a bad value copied into
 * an AK4) would split it, and a line break would read as wrapping. Such characters become spaces.
 */
function clean(value: string, d: OutDelimiters): string {
  return [d.element, d.component, d.segment, d.repetition].reduce(
    (v, separator) => v.replaceAll(separator, ' '),
    value.replace(/[\r\n]/g, ' '),
  );
}

function writeElement(element: OutElement, d: OutDelimiters): string {
  if (typeof element === 'string') return clean(element, d);
  let end = element.length;
  while (end > 0 && element[end - 1] === '') end--;
  return element
    .slice(0, end)
    .map((c) => clean(c, d))
    .join(d.component);
}

/** Trailing empty elements are dropped, as X12 requires (except in the fixed-width ISA). */
export function writeSegment(segment: OutSegment, d: OutDelimiters): string {
  // ISA11 and ISA16 are the delimiters themselves.
  const elements = segment.elements.map((e, i) => (segment.tag === 'ISA' && (i === 10 || i === 15) ? (e as string) : writeElement(e, d)));
  if (segment.tag !== 'ISA') {
    while (elements.length > 0 && elements[elements.length - 1] === '') elements.pop();
  }
  return [segment.tag, ...elements].join(d.element) + d.segment + d.suffix;
}

export function serialize(segments: readonly OutSegment[], d: OutDelimiters = defaultDelimiters): string {
  return segments.map((s) => writeSegment(s, d)).join('');
}

export interface Party12 {
  qualifier: string;
  id: string;
}

export interface EnvelopeParams {
  sender: Party12;
  receiver: Party12;
  /** GS02/GS03 application codes; the ISA ids when not given. */
  senderApp?: string;
  receiverApp?: string;
  interchangeControl: number;
  groupControl: number;
  /** GS01: PO, PR (855), SH (856), IN (810), FA (997/999). */
  functionalId: string;
  /** GS08, e.g. 004010 or 005010X231. */
  version: string;
  /** ISA12, e.g. 00401 or 00501. */
  interchangeVersion: string;
  at: Date;
  usage: 'P' | 'T';
  ackRequested?: boolean;
  delimiters?: OutDelimiters;
}

const pad = (value: string, width: number): string => value.padEnd(width, ' ').slice(0, width);
const digits = (value: number, width: number): string => String(value).padStart(width, '0');

export function yymmdd(at: Date): string {
  return at.toISOString().slice(2, 10).replace(/-/g, '');
}
export function ccyymmdd(at: Date): string {
  return at.toISOString().slice(0, 10).replace(/-/g, '');
}
export function hhmm(at: Date): string {
  return at.toISOString().slice(11, 16).replace(':', '');
}

/** A set to envelope: its body segments (ST and SE are added). */
export interface SetParams {
  id: string;
  body: readonly OutSegment[];
}

/** A set whose body is already written as text (a 997 of any size, built in slices), with its segment count. */
export interface WrittenSet {
  id: string;
  text: string;
  segmentCount: number;
}

export interface GroupParams<S extends SetParams | WrittenSet = SetParams> {
  /** GS01: PO, PR (855), SH (856), IN (810), FA (997/999). */
  functionalId: string;
  /** GS08, e.g. 004010 or 005010X231A1. */
  version: string;
  groupControl: number;
  senderApp?: string;
  receiverApp?: string;
  sets: readonly S[];
}

export type InterchangeParams = Omit<EnvelopeParams, 'functionalId' | 'version' | 'groupControl' | 'senderApp' | 'receiverApp'>;

/**
 * ISA, then any segments that stand outside groups (a TA1), then each group: GS, each set between
 * ST and SE (with its count; ST02 is the set's position in the group), GE; then IEA. A set's body
 * goes to `body`, the envelope's segments to `segment`, each one at a time: a body may be long.
 */
function walkInterchange<S extends SetParams | WrittenSet>(
  params: InterchangeParams,
  groups: readonly GroupParams<S>[],
  preamble: readonly OutSegment[],
  segment: (segment: OutSegment) => void,
  body: (set: S) => number,
): void {
  const d = params.delimiters ?? defaultDelimiters;
  const control = digits(params.interchangeControl, 9);
  segment(
    seg(
      'ISA',
      '00',
      pad('', 10),
      '00',
      pad('', 10),
      pad(params.sender.qualifier, 2),
      pad(params.sender.id, 15),
      pad(params.receiver.qualifier, 2),
      pad(params.receiver.id, 15),
      yymmdd(params.at),
      hhmm(params.at),
      params.interchangeVersion >= '00402' ? d.repetition : 'U',
      params.interchangeVersion,
      control,
      params.ackRequested === true ? '1' : '0',
      params.usage,
      d.component,
    ),
  );
  for (const out of preamble) segment(out);
  for (const group of groups) {
    segment(
      seg(
        'GS',
        group.functionalId,
        group.senderApp ?? params.sender.id,
        group.receiverApp ?? params.receiver.id,
        ccyymmdd(params.at),
        hhmm(params.at),
        String(group.groupControl),
        'X',
        group.version,
      ),
    );
    group.sets.forEach((set, index) => {
      const st02 = digits(index + 1, 4);
      segment(group.version >= '005010' ? seg('ST', set.id, st02, group.version) : seg('ST', set.id, st02));
      const count = body(set);
      segment(seg('SE', count + 2, st02));
    });
    segment(seg('GE', group.sets.length, String(group.groupControl)));
  }
  segment(seg('IEA', groups.length, control));
}

/** The interchange's segments (see walkInterchange). */
export function interchange(params: InterchangeParams, groups: readonly GroupParams[], preamble: readonly OutSegment[] = []): OutSegment[] {
  const out: OutSegment[] = [];
  const add = (segment: OutSegment): void => {
    out.push(segment);
  };
  walkInterchange(params, groups, preamble, add, (set) => {
    set.body.forEach(add);
    return set.body.length;
  });
  return out;
}

/** The interchange as text, with set bodies written before (see WrittenSet). */
export function writeInterchange(
  params: InterchangeParams,
  groups: readonly GroupParams<SetParams | WrittenSet>[],
  preamble: readonly OutSegment[] = [],
): string {
  const d = params.delimiters ?? defaultDelimiters;
  const parts: string[] = [];
  walkInterchange(
    params,
    groups,
    preamble,
    (segment) => parts.push(writeSegment(segment, d)),
    (set) => {
      if ('text' in set) {
        parts.push(set.text);
        return set.segmentCount;
      }
      for (const segment of set.body) parts.push(writeSegment(segment, d));
      return set.body.length;
    },
  );
  return parts.join('');
}

/** One group of sets in one interchange: the usual shape of an outbound document. */
export function envelope(params: EnvelopeParams, sets: readonly SetParams[]): OutSegment[] {
  const { functionalId, version, groupControl, senderApp, receiverApp, ...rest } = params;
  return interchange(rest, [
    {
      functionalId,
      version,
      groupControl,
      sets,
      ...(senderApp === undefined ? {} : { senderApp }),
      ...(receiverApp === undefined ? {} : { receiverApp }),
    },
  ]);
}
