// X12 tokenizer: bytes in, segments out, delimiters taken from each ISA.
// Hand-written because node-x12's parsers were measured too slow (X12Parser.parse) or wrong at
// chunk boundaries (its stream parser); see the X12 issue and bench/x12.ts.

import { isAscii } from 'node:buffer';
import { recordSeparator, unitSeparator, type ContentHash } from './content-hash.ts';
import { ISA, isaElementCount, isaLength } from './elements.ts';

export interface Delimiters {
  element: number;
  component: number;
  /** ISA11 when it is a separator (version 00402 and up), else undefined. */
  repetition: number | undefined;
  segment: number;
}

export interface Segment {
  tag: string;
  /** elements[0] is the first element after the tag (ISA01, BEG01...). */
  elements: string[];
  /** Byte offset of the segment's first byte in the whole input. */
  offset: number;
}

export type TokenEvent =
  | { kind: 'segment'; segment: Segment; delimiters: Delimiters }
  /** Bytes that do not start an interchange where one is expected: binary, EBCDIC, or a broken ISA. */
  | { kind: 'garbage'; offset: number; reason: string; preview: string };

/**
 * What is kept when a buffer ends on a segment's end: one shared empty array (never written to).
 * Made anew there, it deoptimized drain() each time a chunk happened to end so (a constructor call
 * that V8 had not seen when it optimized the function).
 */
const noBytes = new Uint8Array(0);

const CR = 13;
const LF = 10;
const decoder = new TextDecoder('utf-8');

/** Bytes below 0x80 as a string, one char per byte: for ASCII the same text UTF-8 decoding gives. */
const asciiText = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** A byte above 0x7F in text decoded as latin1: where UTF-8 decoding may give other text. */
const highByte = /[\x80-\xff]/g;

/** Whitespace and control bytes that partners put between segments; never data. */
const isFiller = (byte: number): boolean => byte <= 0x20 || byte === 0x7f;
const isAlphanumeric = (byte: number): boolean =>
  (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);

const printable = (bytes: Uint8Array): string =>
  Array.from(bytes.slice(0, 24), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join(
    '',
  );

const isLineBreak = (byte: number | undefined): boolean => byte === CR || byte === LF;

/** The first index at or after `from` that is not a line break. */
function skipLineBreaks(buffer: Uint8Array, from: number): number {
  let i = from;
  while (i < buffer.length && isLineBreak(buffer[i])) i++;
  return i;
}

/**
 * Whether an ISA starts at `pos`: the index of its element separator (line breaks from wrapping
 * skipped when `wrapped`, so "IS\r\nA*" counts), -1 when no ISA starts there, undefined when the
 * bytes so far could still be one.
 */
function isaAt(buffer: Uint8Array, pos: number, final: boolean, wrapped: boolean): number | undefined {
  // Asked before every segment: most do not start with "I", answered without the loop.
  if (pos < buffer.length && buffer[pos] !== 0x49) return -1;
  let i = pos;
  for (const letter of [0x49, 0x53, 0x41] /* I S A */) {
    if (wrapped && i > pos) i = skipLineBreaks(buffer, i);
    if (i >= buffer.length) return final ? -1 : undefined;
    if (buffer[i] !== letter) return -1;
    i++;
  }
  return wrapped ? skipLineBreaks(buffer, i) : i;
}

/**
 * Reads the delimiters from an ISA starting at `start`. The ISA is fixed-width, but partners wrap
 * lines at 80 columns, so CR/LF inside it are skipped while counting its 16 elements.
 * Returns undefined until enough bytes are there; a string when it is not a usable ISA.
 */
export function readIsaDelimiters(buffer: Uint8Array, start: number, final: boolean): Delimiters | string | undefined {
  const at = isaAt(buffer, start, final, true);
  if (at === undefined) return undefined;
  if (at === -1) return 'expected an interchange to start with ISA';
  if (at >= buffer.length) return final ? 'the input ends inside the ISA segment' : undefined;
  const element = buffer[at] as number;
  if (isLineBreak(element) || isAlphanumeric(element)) {
    return `"${String.fromCharCode(element)}" after ISA cannot be an element separator`;
  }
  let separators = 0;
  let i = at;
  let isa11 = -1;
  for (; i < buffer.length && i - start < isaLength * 2; i++) {
    const byte = buffer[i] as number;
    if (byte !== element) continue;
    separators++;
    if (separators === ISA.repetitionSeparator) isa11 = i + 1;
    if (separators === isaElementCount) break;
  }
  if (separators < isaElementCount) {
    if (i - start >= isaLength * 2) return 'the ISA segment does not have 16 elements';
    return final ? 'the input ends inside the ISA segment' : undefined;
  }
  const j = skipLineBreaks(buffer, i + 1);
  if (j + 1 >= buffer.length && !final) return undefined;
  if (j >= buffer.length) return 'the input ends inside the ISA segment';
  const component = buffer[j] as number;
  // The byte after ISA16 is the terminator, unless wrapping put a line break before the real one.
  let segment = buffer[j + 1];
  if (segment === undefined) return 'the input ends before the ISA segment terminator';
  if (isLineBreak(segment)) {
    const k = skipLineBreaks(buffer, j + 1);
    if (k >= buffer.length && !final) return undefined;
    const next = buffer[k];
    // "~" after a wrap: a terminator that is not a letter; a letter means the newline itself ends the ISA.
    if (next !== undefined && !(next >= 0x41 && next <= 0x5a)) segment = next;
  }
  if (segment === element || segment === component) return 'the ISA segment terminator repeats another delimiter';
  // Letters and digits are data, never delimiters: an ISA cut short and followed by another one
  // counts the next ISA's separators and lands inside it.
  if (isAlphanumeric(component) || isAlphanumeric(segment))
    return 'the ISA segment does not end with a component separator and a terminator';
  for (let p = at + 1; p < i; p++) {
    if (!startsWithIsa(buffer, p)) continue;
    if (p + 17 >= buffer.length && !final) return undefined;
    // "ISA*00*          *": the fixed-width start of an ISA (an ISA field would hold it only by accident).
    if (buffer[p + 3] === element && buffer[p + 6] === element && buffer[p + 17] === element)
      return 'another ISA starts inside this ISA segment';
  }
  const repetitionByte = isa11 >= 0 ? buffer[skipLineBreaks(buffer, isa11)] : undefined;
  const repetition =
    repetitionByte !== undefined && repetitionByte !== 0x55 /* U */ && !isAlphanumeric(repetitionByte) && repetitionByte !== element
      ? repetitionByte
      : undefined;
  return { element, component, repetition, segment };
}

/**
 * Called with each event; `hashed` when the segment's content is already in the tokenizer's
 * ContentHash (see the constructor).
 */
export type TokenSink = (event: TokenEvent, hashed: boolean) => void;

/**
 * A push tokenizer: feed it chunks, it calls back with each complete segment. Splitting the input
 * anywhere gives the same segments (tested at every byte boundary).
 */
export class X12Tokenizer {
  private pending: Uint8Array = noBytes;
  /** Offset of pending[0] in the whole input. */
  private base = 0;
  private delimiters: Delimiters | undefined;
  /** The segment terminator as a one-char string, for the text's indexOf. */
  private terminator = '';
  /** A run of garbage that may go on in the next chunk: reported once, when it ends. */
  private garbage: { offset: number; reason: string; preview: string } | undefined;
  /**
   * The buffer being drained, decoded once as latin1 (one char per byte, so a char's index is its
   * byte's): segments are cut from it instead of decoded one by one. For ASCII, as X12 nearly always
   * is, that is the text; a segment with a byte above 0x7F is decoded as UTF-8 on its own.
   */
  private text = '';
  /**
   * In the text, the next LF, CR and byte above 0x7F at or after the segment being cut (the length
   * when there is none): looked for again only once a segment is past them, so that a segment is
   * known to be plain ASCII and unwrapped without a look at each of its bytes.
   */
  private nextLf = 0;
  private nextCr = 0;
  private nextHigh = 0;

  /**
   * With `hash`, each plain segment (ASCII, unwrapped; not an ISA, whose delimiter elements are not
   * content) is added to it as it is cut, before it is emitted, in the same pass over its bytes:
   * going over them again to hash them was a tenth of bench:x12.
   */
  constructor(
    private readonly emit: TokenSink,
    private readonly hash?: ContentHash,
  ) {}

  push(chunk: Uint8Array): void {
    // A plain Uint8Array either way (fs chunks are Buffers): byte reads see one kind of array.
    this.pending =
      this.pending.length === 0 ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) : concat(this.pending, chunk);
    this.drain(false);
  }

  end(): void {
    this.drain(true);
    this.flushGarbage();
    this.pending = noBytes;
  }

  private drain(final: boolean): void {
    const buffer = this.pending;
    const length = buffer.length;
    this.text = asciiText(buffer);
    this.nextLf = -1;
    this.nextCr = -1;
    this.nextHigh = isAscii(buffer) ? length : -1;
    let pos = 0;
    while (pos < length) {
      const terminator = this.delimiters?.segment;
      while (pos < length && isFiller(buffer[pos] as number) && buffer[pos] !== terminator) pos++;
      if (pos >= length) break;

      // A new ISA; inside an interchange whose terminator is a line break, line breaks cannot be wrapping.
      if (buffer[pos] === 0x49 /* I */ || this.delimiters === undefined) {
        const wrapped = this.delimiters === undefined || (this.delimiters.segment !== CR && this.delimiters.segment !== LF);
        const isa = isaAt(buffer, pos, final, wrapped);
        if (isa === undefined) break;
        if (this.delimiters === undefined || isa !== -1) {
          if (isa === -1) {
            pos = this.skipGarbage(buffer, pos, final, 'expected an interchange to start with ISA');
            continue;
          }
          this.flushGarbage();
          const found = readIsaDelimiters(buffer, pos, final);
          if (found === undefined) break;
          if (typeof found === 'string') {
            pos = this.skipGarbage(buffer, pos + 1, final, found, pos);
            this.delimiters = undefined;
            continue;
          }
          this.delimiters = found;
          this.terminator = String.fromCharCode(found.segment);
        }
      }

      const delimiters = this.delimiters as Delimiters;
      const end = this.text.indexOf(this.terminator, pos);
      if (end === -1 && !final) break;
      const stop = end === -1 ? length : end;
      const tag = this.cut(buffer, pos, stop, delimiters);
      // An IEA closes the interchange: whatever follows must start with a new ISA.
      if (tag === 'IEA') this.delimiters = undefined;
      pos = stop + 1;
    }
    this.base += Math.min(pos, length);
    this.pending = pos >= length ? noBytes : buffer.subarray(pos);
    this.text = '';
  }

  /**
   * Skips bytes up to the next "ISA" (or all of them) and reports them once as one run, even when the
   * run goes on over several chunks; returns where reading resumes.
   */
  private skipGarbage(buffer: Uint8Array, from: number, final: boolean, reason: string, reportAt = from): number {
    let next = buffer.indexOf(0x49 /* I */, from);
    let isa: number | undefined = -1;
    while (next !== -1) {
      isa = isaAt(buffer, next, final, true);
      if (isa !== -1) break;
      next = buffer.indexOf(0x49, next + 1);
    }
    // Found an ISA, or the start of one that may go on in the next chunk (kept for then), or none.
    const stop = next === -1 ? buffer.length : next;
    this.garbage ??= { offset: this.base + reportAt, reason, preview: printable(buffer.subarray(reportAt, stop)) };
    if ((next !== -1 && isa !== undefined) || final) this.flushGarbage();
    return stop;
  }

  private flushGarbage(): void {
    if (this.garbage === undefined) return;
    this.emit({ kind: 'garbage', ...this.garbage }, false);
    this.garbage = undefined;
  }

  /** Emits the segment in buffer[start, stop) (stop: its terminator), if it holds one; returns its tag. */
  private cut(buffer: Uint8Array, start: number, stop: number, delimiters: Delimiters): string | undefined {
    // Line breaks inside a segment are wrapping, not data (unless a line break is a delimiter).
    const unwrap = delimiters.segment !== CR && delimiters.segment !== LF && delimiters.element !== CR && delimiters.element !== LF;
    // Line breaks among the trailing controls go with them; one before them is wrapping, taken out
    // on the byte path below.
    const last = withoutTrailingControls(buffer, start, stop, delimiters);
    if (last === start) return undefined;
    if (this.isPlain(start, last, unwrap)) {
      const { hash } = this;
      // Content: the bytes, separators as U+001F, U+001F after a tag alone, U+001E (ContentHash.add).
      const room = hash?.room(last - start + 2);
      const segment = cutSegment(this.text, start, last, delimiters.element, this.base + start, room, hash?.used ?? 0);
      const hashed = room !== undefined && segment.tag !== 'ISA';
      if (hashed) (hash as ContentHash).used += last - start + (segment.elements.length === 0 ? 2 : 1);
      this.emit({ kind: 'segment', segment, delimiters }, hashed);
      return segment.tag;
    }
    // Not ASCII, or wrapped: bytes filtered and decoded for this segment alone.
    let slice = buffer.subarray(start, stop);
    if (unwrap && (slice.includes(LF) || slice.includes(CR))) slice = slice.filter((b) => b !== LF && b !== CR);
    const unwrappedLast = withoutTrailingControls(slice, 0, slice.length, delimiters);
    if (unwrappedLast === 0) return undefined;
    const segment = toSegment(decoder.decode(slice.subarray(0, unwrappedLast)), delimiters, this.base + start);
    this.emit({ kind: 'segment', segment, delimiters }, false);
    return segment.tag;
  }

  /** Whether text[start, end) is ASCII and, when line breaks are wrapping, has none. */
  private isPlain(start: number, end: number, unwrap: boolean): boolean {
    const { text } = this;
    if (this.nextHigh < start) {
      highByte.lastIndex = start;
      this.nextHigh = highByte.exec(text)?.index ?? text.length;
    }
    if (this.nextHigh < end) return false;
    if (!unwrap) return true;
    if (this.nextLf < start) this.nextLf = indexOr(text.indexOf('\n', start), text.length);
    if (this.nextCr < start) this.nextCr = indexOr(text.indexOf('\r', start), text.length);
    return this.nextLf >= end && this.nextCr >= end;
  }
}

/** An index found by indexOf, or `otherwise` when there is none. */
const indexOr = (index: number, otherwise: number): number => (index === -1 ? otherwise : index);

/** The segment's text split at the element separator; the first part is the tag. */
function toSegment(text: string, delimiters: Delimiters, offset: number): Segment {
  const parts = text.split(String.fromCharCode(delimiters.element));
  const tag = parts.shift() as string;
  return { tag, elements: parts, offset };
}

/**
 * The segment text[start, end) split at the element separator: what toSegment gives, without copying
 * the segment first. The text is plain ASCII there, one char per byte. With `content`, also writes
 * the segment's content (ContentHash.add) into it from `at`, in the same pass.
 */
function cutSegment(
  text: string,
  start: number,
  end: number,
  separator: number,
  offset: number,
  content: Uint8Array | undefined,
  contentAt: number,
): Segment {
  let written = contentAt;
  let at = start;
  for (; at < end; at++) {
    const unit = text.charCodeAt(at);
    if (unit === separator) break;
    if (content !== undefined) content[written++] = unit;
  }
  const tag = tagAt(text, start, at);
  let from = at + 1;
  if (content !== undefined) content[written++] = unitSeparator;
  // Where each element ends, so that the array is made at its size (most segments have a few
  // elements; one grown by push holds room for 16).
  let count = 0;
  let cuts = ends;
  if (at < end) {
    for (at++; at < end; at++) {
      const unit = text.charCodeAt(at);
      if (unit !== separator) {
        if (content !== undefined) content[written++] = unit;
        continue;
      }
      if (content !== undefined) content[written++] = unitSeparator;
      if (count === cuts.length) cuts = growInts(cuts);
      cuts[count++] = at;
    }
    if (count === cuts.length) cuts = growInts(cuts);
    cuts[count++] = end;
    // Kept for the next segment unless one with a great many elements grew it.
    if (cuts.length <= maxKeptEnds) ends = cuts;
  }
  if (content !== undefined) content[written] = recordSeparator;
  const elements = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const to = cuts[i] as number;
    elements[i] = valueAt(text, from, to);
    from = to + 1;
  }
  return { tag, elements, offset };
}

/** The ends of the elements of the segment being cut (reused: one segment at a time). */
let ends: Int32Array = new Int32Array(64);
const maxKeptEnds = 1024;
const growInts = (ints: Int32Array): Int32Array => {
  const grown = new Int32Array(ints.length * 2);
  grown.set(ints);
  return grown;
};

/** Every two-char value met so far, by its two chars: at most 65,536 short strings. */
const pairs: (string | undefined)[] = new Array<string | undefined>(65_536).fill(undefined);

/**
 * The element text[start, end). Codes and qualifiers (EA, VN, BP, ST, 92 ...) are most values of a
 * file; sharing one string per two-char value spares millions of small strings (V8 already shares
 * the one-char and empty ones).
 */
function valueAt(text: string, start: number, end: number): string {
  if (end - start !== 2) return text.slice(start, end);
  const key = (text.charCodeAt(start) << 8) | text.charCodeAt(start + 1);
  return (pairs[key] ??= text.slice(start, end));
}

/** Tags of one to three bytes, by their bytes (and length, in the top bits): the same string every time. */
const tags = new Map<number, string>();
const maxTags = 4096;

/**
 * The tag text[start, end). A file holds a few dozen distinct tags, each read millions of times and
 * compared with literals ('ST', 'PO1') at every step of the pipeline: one shared string per tag,
 * made a property key once so that V8 interns it, makes each comparison a pointer check and spares
 * a string per segment.
 */
function tagAt(text: string, start: number, end: number): string {
  const length = end - start;
  if (length < 1 || length > 3) return text.slice(start, end);
  let key = length << 24;
  for (let i = start; i < end; i++) key |= text.charCodeAt(i) << (8 * (end - 1 - i));
  let tag = tags.get(key);
  if (tag === undefined) {
    // Bounded: input full of made-up tags must not grow it without end in a long-lived server.
    if (tags.size >= maxTags) return text.slice(start, end);
    tag = Object.keys({ [text.slice(start, end)]: true })[0] as string;
    tags.set(key, tag);
  }
  return tag;
}

/** Where the segment ends without a CR before an LF terminator, or control bytes before "~"; spaces are data and stay. */
function withoutTrailingControls(buffer: Uint8Array, start: number, stop: number, delimiters: Delimiters): number {
  let last = stop;
  while (last > start && isTrailingControl(buffer[last - 1] as number, delimiters)) last--;
  return last;
}

function isTrailingControl(byte: number, delimiters: Delimiters): boolean {
  return (byte < 0x20 || byte === 0x7f) && byte !== delimiters.element && byte !== delimiters.component && byte !== delimiters.repetition;
}

function startsWithIsa(buffer: Uint8Array, pos: number): boolean {
  return buffer[pos] === 0x49 && buffer[pos + 1] === 0x53 && buffer[pos + 2] === 0x41;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

/** Tokenizes a whole document at once. */
export function tokenize(input: Uint8Array | string): TokenEvent[] {
  const events: TokenEvent[] = [];
  const tokenizer = new X12Tokenizer((event) => events.push(event));
  tokenizer.push(typeof input === 'string' ? new TextEncoder().encode(input) : input);
  tokenizer.end();
  return events;
}
