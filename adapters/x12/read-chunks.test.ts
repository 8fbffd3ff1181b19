import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanonicalOrder } from '../../domain/order.ts';
import { sample, sampleNames } from './fixtures/negative/build.ts';
import { map850For } from './map-850.ts';
import { X12Reader, type InterchangeOutcome, type Unreadable } from './read.ts';
import { X12Tokenizer, type TokenEvent } from './tokenize.ts';

// The whole read, not only the tokens (tokenize.test.ts cuts those): real interchanges pushed in
// chunks cut anywhere (inside the ISA, between "~" and "\r\n", inside a UTF-8 character) give the
// segments, the envelope outcome (findings, fingerprint) and the mapped orders one push gives.

const map = map850For('default');
const bundle = new Uint8Array(readFileSync(new URL('./fixtures/850-bundle.x12', import.meta.url)));
const asText = (input: Uint8Array): string => Buffer.from(input).toString('utf8');
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The bundle with a CR LF after each terminator, as many partners send it. */
const crlf = encode(asText(bundle).replaceAll('~\n', '~\r\n'));
/** The bundle with names of 2, 3 and 4 bytes a character in UTF-8 (a surrogate pair in the text). */
const utf8 = encode(
  asText(bundle).replace('N1*ST*Acme DC*', 'N1*ST*Müller Straße — 東京 DC 😀*').replace('Cable modem', 'Câble modem ½ “fibre” 光'),
);
/** Two interchanges in one input, the second with other delimiters and wrapped lines. */
const mailbag = new Uint8Array([...crlf, ...sample('bots-850-004010.15.x12'), ...sample('bots-850-004010-08.x12')]);

const inputs: Record<string, Uint8Array> = {
  '850 bundle': bundle,
  '850 bundle, CR LF after "~"': crlf,
  '850 bundle, UTF-8 names': utf8,
  'a mailbag of three interchanges': mailbag,
  ...Object.fromEntries(sampleNames().map((name) => [name, sample(name)])),
};

interface Read {
  events: TokenEvent[];
  interchanges: InterchangeOutcome<CanonicalOrder>[];
  /** The orders as a streaming reader (onMapped) hands them over. */
  streamed: CanonicalOrder[];
  unreadable: Unreadable[];
}

/** Pushes the input cut at `cuts` through a tokenizer, a collecting reader and a streaming one. */
function readInChunks(input: Uint8Array, cuts: readonly number[]): Read {
  const read: Read = { events: [], interchanges: [], streamed: [], unreadable: [] };
  const tokenizer = new X12Tokenizer((event) => read.events.push(event));
  const collecting = new X12Reader<CanonicalOrder>({
    map,
    onInterchange: (outcome) => read.interchanges.push(outcome),
    onUnreadable: (problem) => read.unreadable.push(problem),
  });
  const streaming = new X12Reader<CanonicalOrder>({
    map,
    onMapped: (order) => read.streamed.push(order),
    onInterchange: () => undefined,
    onUnreadable: () => undefined,
  });
  let from = 0;
  for (const cut of [...cuts, input.length].sort((a, b) => a - b)) {
    const chunk = input.subarray(from, cut);
    tokenizer.push(chunk);
    collecting.push(chunk);
    streaming.push(chunk);
    from = cut;
  }
  tokenizer.end();
  collecting.end();
  streaming.end();
  return read;
}

const fingerprint = (read: Read): string => JSON.stringify(read);
const wholes = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, fingerprint(readInChunks(input, []))]));

/** Offsets where a cut is most likely to go wrong: in the ISA, around "~" and line breaks, inside a multi-byte character. */
function trickyOffsets(input: Uint8Array): number[] {
  const offsets = new Set<number>();
  for (let i = 0; i <= Math.min(input.length, 110); i++) offsets.add(i);
  input.forEach((byte, i) => {
    if (byte === 0x7e || byte === 0x0d || byte === 0x0a || byte >= 0x80) for (const at of [i, i + 1]) offsets.add(at);
  });
  return [...offsets].filter((at) => at <= input.length);
}

describe('reading in chunks', () => {
  it('the inputs are what they claim: orders accepted, CR LF, multi-byte characters, three interchanges', () => {
    const whole = (name: string): Read => readInChunks(inputs[name] as Uint8Array, []);
    for (const name of ['850 bundle', '850 bundle, CR LF after "~"', '850 bundle, UTF-8 names']) {
      expect(whole(name).interchanges[0]?.accepted).toHaveLength(1);
      expect(whole(name).streamed).toHaveLength(1);
    }
    expect(asText(crlf)).toContain('~\r\nGS*');
    expect(whole('850 bundle, UTF-8 names').streamed[0]?.shipTo?.name).toBe('Müller Straße — 東京 DC 😀');
    expect(utf8.filter((byte) => byte >= 0xf0)).toHaveLength(1);
    expect(whole('a mailbag of three interchanges').interchanges).toHaveLength(3);
    expect(whole('a mailbag of three interchanges').streamed.length).toBeGreaterThanOrEqual(3);
  });

  it.each(['850 bundle, CR LF after "~"', '850 bundle, UTF-8 names'])('%s: two chunks split at every byte read as one', (name) => {
    const input = inputs[name] as Uint8Array;
    const differ: number[] = [];
    for (let cut = 0; cut <= input.length; cut++) if (fingerprint(readInChunks(input, [cut])) !== wholes[name]) differ.push(cut);
    expect(differ).toEqual([]);
  });

  it('one byte at a time reads as one push', () => {
    for (const name of ['850 bundle, UTF-8 names', 'a mailbag of three interchanges']) {
      const input = inputs[name] as Uint8Array;
      expect(
        fingerprint(
          readInChunks(
            input,
            Array.from({ length: input.length }, (_, i) => i),
          ),
        ),
        name,
      ).toBe(wholes[name]);
    }
  });

  it('any number of chunks, cut anywhere and at the tricky places, reads as one push', () => {
    const names = Object.keys(inputs);
    const cutsOf = (input: Uint8Array) =>
      fc.uniqueArray(fc.oneof(fc.nat(input.length), fc.constantFrom(...trickyOffsets(input))), { minLength: 1, maxLength: 120 });
    fc.assert(
      fc.property(
        fc.constantFrom(...names).chain((name) => fc.tuple(fc.constant(name), cutsOf(inputs[name] as Uint8Array))),
        ([name, cuts]) => {
          expect(fingerprint(readInChunks(inputs[name] as Uint8Array, cuts))).toBe(wholes[name]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
