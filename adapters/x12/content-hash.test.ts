import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContentHash } from './content-hash.ts';
import { tokenize, X12Tokenizer, type Delimiters, type Segment } from './tokenize.ts';

// The content hash is written byte by byte for speed; fingerprints are stored (dedupe), so it must
// stay the digest of this text, the form it was first defined in.
const asText = (segment: Segment, delimiters: Delimiters): string => {
  const elements =
    segment.tag !== 'ISA'
      ? segment.elements
      : segment.elements.map((value, i) => (i === 15 || (i === 10 && delimiters.repetition !== undefined) ? '' : value));
  return `${segment.tag}\u001f${elements.join('\u001f')}\u001e`;
};

const input =
  'ISA*00*          *00*          *ZZ*A              *ZZ*B              *261127*1200*^*00501*000000001*0*P*>~N3~REF*DP*Müller 日本 😀*~SE**~' +
  `MSG*${'x'.repeat(70_000)}~PO1*1**EA~\r\nN1*ST*wrapped\r\n name~DTM*002*20260101~`;

describe('ContentHash', () => {
  it('is the SHA-256 of tag, U+001F, elements joined by U+001F, U+001E; ISA delimiters left out', () => {
    const segments = tokenize(input).flatMap((e) => (e.kind === 'segment' ? [e] : []));
    expect(segments.map((s) => s.segment.tag)).toEqual(['ISA', 'N3', 'REF', 'SE', 'MSG', 'PO1', 'N1', 'DTM']);
    const hash = new ContentHash();
    let text = '';
    for (const { segment, delimiters } of segments) {
      hash.add(segment, delimiters);
      text += asText(segment, delimiters);
    }
    expect(hash.digest()).toBe(createHash('sha256').update(text).digest('hex'));
    // and starts over after a digest
    expect(hash.digest()).toBe(createHash('sha256').digest('hex'));
  });

  it('segments the tokenizer hashes as it cuts them hash as add() does', () => {
    const byTokenizer = new ContentHash();
    const viaSegments = new ContentHash();
    const hashedTags: string[] = [];
    const tokenizer = new X12Tokenizer((event, hashed) => {
      if (event.kind !== 'segment') return;
      viaSegments.add(event.segment, event.delimiters);
      if (hashed) hashedTags.push(event.segment.tag);
      else byTokenizer.add(event.segment, event.delimiters);
    }, byTokenizer);
    tokenizer.push(new TextEncoder().encode(input));
    tokenizer.end();
    // Not the ISA (delimiters), REF (UTF-8), MSG (longer than the buffer) nor N1 (wrapped).
    expect(hashedTags).toEqual(['N3', 'SE', 'PO1', 'DTM']);
    expect(byTokenizer.digest()).toBe(viaSegments.digest());
  });
});
