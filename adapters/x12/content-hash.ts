import { createHash, type Hash } from 'node:crypto';
import { ISA } from './elements.ts';
import type { Delimiters, Segment } from './tokenize.ts';

// SHA-256 over segments' content, so that the same interchange (or set) gives the same value
// whatever its delimiters or wrapping: each segment is its tag, U+001F, its elements joined by
// U+001F, and U+001E, UTF-8 encoded. The ISA's delimiter elements (ISA11 when a separator, ISA16) are
// not content. The bytes are written into one reused buffer rather than built as a string per
// segment: that string and its encoding were a tenth of the X12 bench's time.

export const unitSeparator = 0x1f;
export const recordSeparator = 0x1e;
const encoder = new TextEncoder();
/** Indexes into an ISA's elements of its delimiter elements. */
const repetitionSeparator = ISA.repetitionSeparator - 1;
const componentSeparator = ISA.componentSeparator - 1;

export class ContentHash {
  private hash: Hash = createHash('sha256');
  private readonly pending = new Uint8Array(65_536);
  /** Bytes of `pending` written and not yet hashed (see room). */
  used = 0;

  /** Forgets everything added so far. */
  restart(): void {
    this.hash = createHash('sha256');
    this.used = 0;
  }

  add(segment: Segment, delimiters: Delimiters): void {
    this.write(segment.tag);
    // One separator after the tag even when there are no elements, as the content has always been hashed.
    this.byte(unitSeparator);
    const isa = segment.tag === 'ISA';
    const { elements } = segment;
    for (let i = 0; i < elements.length; i++) {
      if (i > 0) this.byte(unitSeparator);
      if (!isa || !(i === componentSeparator || (i === repetitionSeparator && delimiters.repetition !== undefined)))
        this.write(elements[i] as string);
    }
    this.byte(recordSeparator);
  }

  /**
   * The buffer, with room for `length` bytes from `used` on, for a caller that writes a segment's
   * content (what add() would write) straight into it and then moves `used` past it: the tokenizer
   * does so as it cuts a plain segment. Undefined when even an empty buffer has not that room.
   */
  room(length: number): Uint8Array | undefined {
    if (length > this.pending.length - this.used) {
      this.flush();
      if (length > this.pending.length) return undefined;
    }
    return this.pending;
  }

  /** The hex digest of everything added since the last restart; then starts over. */
  digest(): string {
    this.flush();
    const hex = this.hash.digest('hex');
    this.restart();
    return hex;
  }

  private byte(value: number): void {
    if (this.used === this.pending.length) this.flush();
    this.pending[this.used++] = value;
  }

  /** Text as UTF-8: ASCII byte by byte, the rest (at most 3 bytes per UTF-16 unit) by the encoder. */
  private write(text: string): void {
    if (text.length * 3 > this.pending.length - this.used) {
      this.flush();
      if (text.length * 3 > this.pending.length) return void this.hash.update(text);
    }
    for (let i = 0; i < text.length; i++) {
      const char = text.charCodeAt(i);
      if (char >= 0x80) {
        this.used += encoder.encodeInto(text.slice(i), this.pending.subarray(this.used)).written;
        return;
      }
      this.pending[this.used++] = char;
    }
  }

  private flush(): void {
    if (this.used === 0) return;
    this.hash.update(this.pending.subarray(0, this.used));
    this.used = 0;
  }
}
