import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, control, isa, map, read, sample, sampleNames, x12 } from './fixtures/negative/build.ts';
import { X12Reader, type InterchangeOutcome, type Unreadable } from './read.ts';
import { acknowledge } from './respond.ts';
import { tokenize, type Segment } from './tokenize.ts';

// Whatever arrives, the reader answers and never throws, every answer is well-formed X12, and reading
// a mutated sample in chunks says what reading it whole says.
// 10,000 cases per run: 4,000 random inputs and 6,000 mutations of the real samples. No fixed seed:
// every run tries new cases; on failure fast-check prints the seed and the path to replay it.

const RANDOM_RUNS = 4_000;
const MUTATION_RUNS = 6_000;

const sources: Uint8Array[] = [
  ...sampleNames().map(sample),
  new Uint8Array(readFileSync(new URL('./fixtures/pyx12/pyx12-fail_no_IEA.txt', import.meta.url))),
  bytes(
    x12({ isa: { 12: '00501' }, groups: [{ version: '004010' }, { version: '005010', control: '2', sets: [{}, { control: '0002' }] }] }),
  ),
];

/** Bytes that tokenizers and envelopes care about, for inserts and replacements. */
const interesting = [
  0x2a, 0x7e, 0x7c, 0x3e, 0x3a, 0x5e, 0x0a, 0x0d, 0x20, 0x49, 0x53, 0x41, 0x30, 0x39, 0x00, 0x1d, 0x1f, 0x15, 0x85, 0x7f, 0xff,
];
const delimiterBytes = [0x2a, 0x7e, 0x7c, 0x3e, 0x3a, 0x5e, 0x0a, 0x0d, 0x1d, 0x15];
const aByte = fc.oneof(fc.constantFrom(...interesting), fc.integer({ min: 0, max: 255 }));

type Mutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; insert: Uint8Array }
  | { kind: 'replace'; at: number; byte: number }
  | { kind: 'duplicate'; at: number; length: number; to: number }
  | { kind: 'cut'; at: number }
  | { kind: 'swapAll'; a: number; b: number }
  | { kind: 'swapOne'; at: number; byte: number };

const position = fc.nat({ max: 1_000_000 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    insert: fc.uint8Array({ minLength: 1, maxLength: 12 }).chain((a) =>
      fc.constantFrom(
        a,
        a.map((b) => interesting[b % interesting.length] as number),
      ),
    ),
  }),
  fc.record({ kind: fc.constant('replace' as const), at: position, byte: aByte }),
  fc.record({ kind: fc.constant('duplicate' as const), at: position, length: fc.integer({ min: 1, max: 300 }), to: position }),
  fc.record({ kind: fc.constant('cut' as const), at: position }),
  fc.record({ kind: fc.constant('swapAll' as const), a: fc.constantFrom(...delimiterBytes), b: fc.constantFrom(...delimiterBytes) }),
  fc.record({ kind: fc.constant('swapOne' as const), at: position, byte: fc.constantFrom(...delimiterBytes) }),
);

function mutate(input: Uint8Array, m: Mutation): Uint8Array {
  const bytesOf = Array.from(input);
  const at = 'at' in m ? m.at % (bytesOf.length + 1) : 0;
  switch (m.kind) {
    case 'delete':
      bytesOf.splice(at, m.length);
      break;
    case 'insert':
      bytesOf.splice(at, 0, ...m.insert);
      break;
    case 'replace':
      if (at < bytesOf.length) bytesOf[at] = m.byte;
      break;
    case 'duplicate':
      bytesOf.splice(m.to % (bytesOf.length + 1), 0, ...bytesOf.slice(at, at + m.length));
      break;
    case 'cut':
      bytesOf.length = at;
      break;
    case 'swapAll':
      for (let i = 0; i < bytesOf.length; i++) bytesOf[i] = bytesOf[i] === m.a ? m.b : bytesOf[i] === m.b ? m.a : (bytesOf[i] as number);
      break;
    case 'swapOne': {
      // The first delimiter byte at or after `at` becomes another delimiter.
      const index = bytesOf.findIndex((b, i) => i >= at && delimiterBytes.includes(b));
      if (index !== -1) bytesOf[index] = m.byte;
      break;
    }
  }
  return Uint8Array.from(bytesOf);
}

/** The same bytes the tokenizer skips between segments: nothing to report. */
const blank = (input: Uint8Array): boolean => input.every((b) => b <= 0x20 || b === 0x7f);

const el = (segment: Segment, position: number): string | undefined => segment.elements[position - 1];

/** An acknowledgment must read back as one well-formed interchange, with every count and control number right. */
function checkAcknowledgment(text: string): void {
  const events = tokenize(text);
  expect(events.filter((e) => e.kind === 'garbage')).toEqual([]);
  const segments = events.flatMap((e) => (e.kind === 'segment' ? [e.segment] : []));
  const isaSegment = segments[0] as Segment;
  const iea = segments.at(-1) as Segment;
  expect(isaSegment.tag).toBe('ISA');
  expect(isaSegment.elements).toHaveLength(16);
  expect(iea.tag).toBe('IEA');
  let groups = 0;
  let gs: Segment | undefined;
  let sets = 0;
  let st: Segment | undefined;
  let inSet = 0;
  for (const segment of segments.slice(1, -1)) {
    if (st !== undefined) {
      inSet++;
      if (segment.tag !== 'SE') continue;
      expect(el(segment, 1), 'SE01').toBe(String(inSet));
      expect(el(segment, 2), 'SE02').toBe(el(st, 2));
      st = undefined;
    } else if (segment.tag === 'ST') {
      expect(gs, 'ST inside a group').toBeDefined();
      st = segment;
      inSet = 1;
      sets++;
    } else if (segment.tag === 'GS') {
      expect(gs, 'GS after GE').toBeUndefined();
      gs = segment;
      groups++;
      sets = 0;
    } else if (segment.tag === 'GE') {
      expect(gs, 'GE after GS').toBeDefined();
      expect(el(segment, 1), 'GE01').toBe(String(sets));
      expect(el(segment, 2), 'GE02').toBe(el(gs as Segment, 6));
      gs = undefined;
    } else {
      // Only a TA1 stands outside the sets, before the first group.
      expect([segment.tag, groups]).toEqual(['TA1', 0]);
    }
  }
  expect(st, 'SE missing').toBeUndefined();
  expect(gs, 'GE missing').toBeUndefined();
  expect(el(iea, 1), 'IEA01').toBe(String(groups));
  expect(el(iea, 2), 'IEA02').toBe(el(isaSegment, 13));
  expect(segments.filter((s) => s.tag === 'ISA' || s.tag === 'IEA')).toHaveLength(2);
}

function checkInput(input: Uint8Array): void {
  const { interchanges, unreadable } = read(input);
  if (!blank(input)) expect(interchanges.length + unreadable.length).toBeGreaterThan(0);
  for (const problem of unreadable) {
    expect(problem.reason).not.toBe('');
    expect(problem.offset).toBeGreaterThanOrEqual(0);
    expect(problem.offset).toBeLessThan(input.length);
  }
  for (const outcome of interchanges) {
    expect(outcome.offset).toBeLessThan(input.length);
    if (outcome.rejection !== undefined) expect(outcome.accepted).toEqual([]);
    const ack = acknowledge(outcome, control);
    checkAcknowledgment(ack.text);
    if (outcome.rejection !== undefined || outcome.ackRequested) expect(ack.kinds[0]).toBe('TA1');
  }
}

/** What a read says, preview aside (a garbage run split over chunks shows less of itself). */
const summary = (interchanges: InterchangeOutcome<unknown>[], unreadable: Unreadable[]): string =>
  JSON.stringify({
    interchanges: interchanges.map((o) => [o.offset, o.rejection, o.fingerprint, o.groups, o.accepted.map((a) => a.fingerprint)]),
    unreadable: unreadable.map((u) => [u.offset, u.reason]),
  });

/** Reading the input in chunks cut at these offsets says what reading it whole says. */
function checkChunked(input: Uint8Array, cuts: number[]): void {
  const whole = read(input);
  const interchanges: InterchangeOutcome<unknown>[] = [];
  const unreadable: Unreadable[] = [];
  const reader = new X12Reader<unknown>({ map, onInterchange: (o) => interchanges.push(o), onUnreadable: (u) => unreadable.push(u) });
  let from = 0;
  for (const cut of cuts.map((c) => c % (input.length + 1)).sort((a, b) => a - b)) {
    reader.push(input.subarray(from, cut));
    from = cut;
  }
  reader.push(input.subarray(from));
  reader.end();
  expect(summary(interchanges, unreadable)).toBe(summary(whole.interchanges, whole.unreadable));
}

describe('fuzz: nothing a partner sends breaks the reader or the acknowledgment', () => {
  it('the properties hold for the unchanged samples', () => {
    for (const source of sources) checkInput(source);
    checkInput(new Uint8Array(0));
  });

  it(`random input (${RANDOM_RUNS} cases): random bytes, X12-like tokens, either after a valid ISA or interchange`, () => {
    const isaLine = bytes(`${isa()}~\n`);
    const whole = bytes(x12());
    const tokens = [
      'ISA',
      'GS',
      'ST',
      'SE',
      'GE',
      'IEA',
      'BEG',
      'PO1',
      'CTT',
      'N1',
      'TA1',
      '*',
      '*',
      '*',
      '~',
      '~\n',
      '\r\n',
      '>',
      '|',
      '^',
      '00',
      '850',
      '004010',
      '005010',
      '1',
      '0001',
      '000000001',
      ' ',
      'ZZ',
      'EA',
    ];
    const x12ish = fc.array(fc.constantFrom(...tokens), { maxLength: 300 }).map((parts) => bytes(parts.join('')));
    const body = fc.oneof(fc.uint8Array({ maxLength: 2048 }), x12ish);
    const input = fc
      .tuple(fc.constantFrom(new Uint8Array(0), new Uint8Array(0), isaLine, whole), body, fc.boolean())
      .map(([prefix, rest, wholeAfter]) => new Uint8Array([...prefix, ...rest, ...(wholeAfter ? whole : [])]));
    fc.assert(fc.property(input, checkInput), { numRuns: RANDOM_RUNS });
  });

  it(`mutated samples (${MUTATION_RUNS} cases): bytes deleted, inserted, replaced, duplicated, cut, delimiters swapped`, () => {
    const mutated = fc
      .tuple(fc.nat(sources.length - 1), fc.array(mutation, { minLength: 1, maxLength: 5 }))
      .map(([index, mutations]) => mutations.reduce(mutate, sources[index] as Uint8Array));
    fc.assert(
      fc.property(mutated, fc.array(position, { maxLength: 4 }), (input, cuts) => {
        checkInput(input);
        checkChunked(input, cuts);
      }),
      { numRuns: MUTATION_RUNS },
    );
  });
});
