import { ISA } from './elements.ts';
import { X12Tokenizer, type Segment } from './tokenize.ts';

// A stored interchange as people read it: one segment per line, cut with the delimiters of its own
// ISA (the tokenizer the gateway reads with, so the console shows the segments the gateway saw).
// The ISA's authorization and security information (ISA02, ISA04) can hold a password, and the
// documents table keeps the interchange as received: they are shown redacted, keeping their width.

export interface SegmentLine {
  tag: string;
  /** The segment as sent, its terminator included when that is a visible character. */
  text: string;
}

export interface SegmentLines {
  lines: SegmentLine[];
  /** Segments (or bytes) beyond the limits were left out. */
  cut: boolean;
  /** Bytes that are no X12: where the tokenizer found them and why. */
  unreadable: string[];
}

const redacted = '[redacted]'; // ten characters, as ISA02 and ISA04 are

/** The segment's elements, an ISA's authorization and security information redacted when it has any ("00": none). */
function shownElements(segment: Segment): string[] {
  if (segment.tag !== 'ISA') return segment.elements;
  const elements = [...segment.elements];
  for (const [qualifier, value] of [
    [ISA.authorizationQualifier, ISA.authorization],
    [ISA.securityQualifier, ISA.security],
  ] as const)
    if (elements[qualifier - 1] !== '00' && elements[value - 1] !== undefined) elements[value - 1] = redacted;
  return elements;
}

/** At most `maxSegments` segments of the first `maxBytes` bytes. */
export function segmentLines(body: Uint8Array, limits: { maxSegments: number; maxBytes: number }): SegmentLines {
  const lines: SegmentLine[] = [];
  const unreadable: string[] = [];
  let more = false;
  const tokenizer = new X12Tokenizer((event) => {
    if (event.kind === 'garbage') {
      unreadable.push(`at byte ${event.offset}: ${event.reason} (${event.preview})`);
      return;
    }
    if (lines.length >= limits.maxSegments) {
      more = true;
      return;
    }
    const { segment, delimiters } = event;
    const terminator = delimiters.segment >= 0x20 ? String.fromCharCode(delimiters.segment) : '';
    lines.push({
      tag: segment.tag,
      text: [segment.tag, ...shownElements(segment)].join(String.fromCharCode(delimiters.element)) + terminator,
    });
  });
  const whole = body.length <= limits.maxBytes;
  tokenizer.push(whole ? body : body.subarray(0, limits.maxBytes));
  // A body cut short ends inside a segment: what the tokenizer still holds is not shown.
  if (whole) tokenizer.end();
  return { lines, cut: more || !whole, unreadable };
}
