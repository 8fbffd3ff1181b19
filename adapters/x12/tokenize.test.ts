import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, interchangeSegments, isa, read, sample, sampleNames, text } from './fixtures/negative/build.ts';
import { X12Tokenizer, tokenize, type TokenEvent } from './tokenize.ts';

// The tokenizer: every public sample, every way to cut the input into chunks, the delimiters partners
// really use, several interchanges in one file, and input that is not X12 at all.

type Compact = [tag: string, elements: string[]];

/** Everything a token says, as one string, so that thousands of runs compare quickly. */
const fingerprint = (events: TokenEvent[]): string =>
  JSON.stringify(
    events.map((e) =>
      e.kind === 'segment'
        ? [
            e.segment.tag,
            e.segment.elements,
            e.segment.offset,
            e.delimiters.element,
            e.delimiters.component,
            e.delimiters.repetition ?? null,
            e.delimiters.segment,
          ]
        : ['garbage', e.offset, e.reason],
    ),
  );

const segmentsOf = (events: TokenEvent[]): Compact[] =>
  events.flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, e.segment.elements] as Compact] : []));
const garbageOf = (events: TokenEvent[]) => events.flatMap((e) => (e.kind === 'garbage' ? [e] : []));

/** Pushes the input cut at the given offsets, then ends. */
function chunked(input: Uint8Array, cuts: readonly number[]): TokenEvent[] {
  const events: TokenEvent[] = [];
  const tokenizer = new X12Tokenizer((event) => events.push(event));
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    tokenizer.push(input.subarray(from, cut));
    from = cut;
  }
  tokenizer.push(input.subarray(from));
  tokenizer.end();
  return events;
}

/** Offsets at which a two-chunk split changes what the tokenizer says. */
function splitsThatDiffer(input: Uint8Array): number[] {
  const whole = fingerprint(tokenize(input));
  const differ: number[] = [];
  for (let cut = 0; cut <= input.length; cut++) if (fingerprint(chunked(input, [cut])) !== whole) differ.push(cut);
  return differ;
}

// One small valid 850 interchange with a composite element (REF03) and, from 00403 on, a repetition
// separator in ISA11. Written with "*", ">" and "~"; the variants substitute delimiters byte for byte.
const small = (version = '00401'): string[] =>
  interchangeSegments({
    isa: { 12: version },
    groups: [{ sets: [{ body: ['BEG*00*SA*PO-1**20240101', 'REF*ZZ*NOTE*A>B', 'PO1*1*2*EA*9.5**VP*ABC-1', 'CTT*1'] }] }],
  });

interface Variant {
  element: string;
  component: string;
  /** Written after every segment, terminator included. */
  after: string;
  version?: string;
}

function variant({ element, component, after, version }: Variant): Uint8Array {
  const segments = small(version).map((s) => s.replaceAll('>', component).replaceAll('*', element));
  return bytes(segments.map((s) => s + after).join(''));
}

/** What the plain version says, with the component separator of the variant in the data. */
function expectedFor(component: string, version?: string): Compact[] {
  return segmentsOf(tokenize(bytes(text(small(version))))).map(([tag, elements]) => [
    tag,
    elements.map((e) => e.replaceAll('>', component)),
  ]);
}

describe('public samples', () => {
  it.each(sampleNames())('%s: segments from ISA to IEA, no garbage', (name) => {
    const input = sample(name);
    const events = tokenize(input);
    expect(garbageOf(events)).toEqual([]);
    const segments = segmentsOf(events);
    expect(segments[0]?.[0]).toBe('ISA');
    expect(segments.at(-1)?.[0]).toBe('IEA');
    expect(segments.length).toBeGreaterThan(10);
    // Every offset points at the segment's tag (line breaks from wrapping aside).
    for (const event of events) {
      if (event.kind !== 'segment') continue;
      const at = Buffer.from(input.subarray(event.segment.offset, event.segment.offset + 6))
        .toString('latin1')
        .replace(/[\r\n]/g, '');
      expect(at.startsWith(event.segment.tag), `${event.segment.tag} at ${event.segment.offset}`).toBe(true);
    }
  });

  it('the 80-column hard-wrapped bots file reads as the same content unwrapped', () => {
    const wrapped = sample('bots-850-004010-08.x12');
    const lines = Buffer.from(wrapped).toString('latin1').split('\n');
    // The sample really is wrapped, in the middle of segments (and of the ISA).
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.every((line) => line.length <= 80)).toBe(true);
    expect(lines[0]).not.toContain('~');
    const unwrapped = wrapped.filter((b) => b !== 0x0a && b !== 0x0d);
    const fromWrapped = segmentsOf(tokenize(wrapped));
    expect(fromWrapped).toEqual(segmentsOf(tokenize(unwrapped)));
    expect(fromWrapped.map(([tag]) => tag).filter((tag) => tag === 'DTM')).toHaveLength(4);
    expect(fromWrapped[0]?.[1][9]).toBe('1700');
    expect(fromWrapped.find(([tag]) => tag === 'N1')?.[1]).toEqual(['ST', 'THERMA TRU INDIANA DOOR']);
  });
});

describe('chunk boundaries', () => {
  it.each(sampleNames())('%s: two chunks split at every byte give what one push gives', (name) => {
    expect(splitsThatDiffer(sample(name))).toEqual([]);
  });

  const tricky: Record<string, Uint8Array> = {
    'CR LF as the terminator': variant({ element: '*', component: '>', after: '\r\n' }),
    'LF as the terminator': variant({ element: '*', component: '>', after: '\n' }),
    '0x15 as the terminator, 0x1D between elements': variant({ element: '\x1d', component: '\x1f', after: '\x15' }),
    '"~" then spaces and line breaks': variant({ element: '|', component: ':', after: '~  \r\n  ' }),
    'ISA hard-wrapped before the terminator': bytes(`${isa()}\n~${text(small().slice(1))}`),
    'garbage, a broken ISA, then an interchange': bytes(`\xc9\xe2\xc1 junk ISA1234 more junk ISAISA*00*\n${text(small())}trailing junk`),
    'an ISA cut short, then a whole one': bytes(`${isa().slice(0, 60)}${text(small())}`),
  };
  it.each(Object.keys(tricky))('%s: two chunks split at every byte give what one push gives', (name) => {
    const input = tricky[name] as Uint8Array;
    expect(segmentsOf(tokenize(input)).map(([tag]) => tag)).toContain('IEA');
    expect(splitsThatDiffer(input)).toEqual([]);
  });

  it('any number of chunks, cut anywhere, gives what one push gives', () => {
    const inputs = [...sampleNames().map(sample), ...Object.values(tricky)];
    const wholes = inputs.map((input) => fingerprint(tokenize(input)));
    fc.assert(
      fc.property(
        fc
          .nat(inputs.length - 1)
          .chain((index) =>
            fc.tuple(fc.constant(index), fc.uniqueArray(fc.nat((inputs[index] as Uint8Array).length), { minLength: 2, maxLength: 200 })),
          ),
        ([index, cuts]) => {
          expect(fingerprint(chunked(inputs[index] as Uint8Array, cuts))).toBe(wholes[index]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('one byte at a time gives what one push gives', () => {
    for (const input of [...sampleNames().map(sample), ...Object.values(tricky)]) {
      expect(
        fingerprint(
          chunked(
            input,
            Array.from({ length: input.length }, (_, i) => i),
          ),
        ),
      ).toBe(fingerprint(tokenize(input)));
    }
  });
});

describe('delimiters as partners send them', () => {
  const elements = ['*', '|', '\x1d', '\x07'];
  const components = ['>', ':', '\x1f'];
  const terminators: Record<string, string> = {
    '~': '~',
    '~ LF': '~\n',
    '~ CR LF': '~\r\n',
    '~ then spaces and line breaks': '~   \n \r\n  ',
    'LF alone': '\n',
    'CR LF alone': '\r\n',
    '0x15 (EBCDIC NL)': '\x15',
    '0x85 (NEL)': '\x85',
    '~ then DEL and NUL filler': '~\x7f\x00\x00\x7f',
  };
  const terminatorByte: Record<string, number> = { 'LF alone': 0x0a, 'CR LF alone': 0x0d, '0x15 (EBCDIC NL)': 0x15, '0x85 (NEL)': 0x85 };

  it.each(Object.keys(terminators))('terminator %s: every element and component separator gives the plain segments', (name) => {
    const after = terminators[name] as string;
    for (const element of elements) {
      for (const component of components) {
        const events = tokenize(variant({ element, component, after }));
        const label = `element 0x${element.charCodeAt(0).toString(16)}, component 0x${component.charCodeAt(0).toString(16)}`;
        expect(garbageOf(events), label).toEqual([]);
        expect(segmentsOf(events), label).toEqual(expectedFor(component));
        for (const event of events) {
          if (event.kind !== 'segment') continue;
          expect(event.delimiters, label).toEqual({
            element: element.charCodeAt(0),
            component: component.charCodeAt(0),
            repetition: undefined,
            segment: terminatorByte[name] ?? 0x7e,
          });
        }
      }
    }
  });

  it('ISA11 is the repetition separator from 00403 on ("^"), and the standards id "U" before', () => {
    const withRepetition = tokenize(variant({ element: '*', component: '>', after: '~\n', version: '00403' }));
    expect(segmentsOf(withRepetition)).toEqual(expectedFor('>', '00403'));
    expect(segmentsOf(withRepetition)[0]?.[1][10]).toBe('^');
    expect(withRepetition.map((e) => e.kind === 'segment' && e.delimiters.repetition)).toEqual(withRepetition.map(() => 0x5e));
    const withU = tokenize(variant({ element: '*', component: '>', after: '~\n', version: '00401' }));
    expect(segmentsOf(withU)[0]?.[1][10]).toBe('U');
    expect(withU.map((e) => e.kind === 'segment' && e.delimiters.repetition)).toEqual(withU.map(() => undefined));
  });

  it('a CR before an LF terminator and control bytes before "~" are not data; spaces are', () => {
    const events = tokenize(
      bytes(text(small()).replace('CTT*1~', 'CTT*1  \x00\x7f~').replace('PO1*1*2*EA*9.5**VP*ABC-1~\n', 'PO1*1*2*EA*9.5**VP*ABC-1~\r\n')),
    );
    expect(segmentsOf(events).find(([tag]) => tag === 'CTT')?.[1]).toEqual(['1  ']);
    expect(segmentsOf(events).find(([tag]) => tag === 'PO1')?.[1]).toEqual(['1', '2', 'EA', '9.5', '', 'VP', 'ABC-1']);
  });

  it('a segment of 5,000 elements reads whole, and so do the segments after it', () => {
    const many = Array.from({ length: 5000 }, (_, i) => String(i % 7 === 0 ? '' : i));
    const events = tokenize(bytes(text(small()).replace('CTT*1~', `MSG*${many.join('*')}~CTT*1~`)));
    expect(segmentsOf(events).find(([tag]) => tag === 'MSG')?.[1]).toEqual(many);
    expect(segmentsOf(events).slice(-4)).toEqual([
      ['CTT', ['1']],
      ['SE', ['6', '0001']],
      ['GE', ['1', '1']],
      ['IEA', ['1', '000000001']],
    ]);
  });
});

describe('several interchanges in one file', () => {
  const first = interchangeSegments({
    isa: { 13: '000000011' },
    groups: [
      { control: '1', sets: [{ control: '0001' }, { control: '0002' }] },
      { control: '2', sets: [{ control: '0003' }] },
    ],
  });
  const second = interchangeSegments({
    isa: { 13: '000000012', 12: '00501' },
    groups: [{ control: '3', version: '005010', sets: [{ control: '0004' }, { control: '0005' }, { control: '0006' }] }],
  });
  const third = interchangeSegments({ isa: { 13: '000000013' } });
  const mailbag = (parts: [segments: string[], element: string, component: string, after: string][]): Uint8Array =>
    bytes(
      parts
        .map(([segments, element, component, after]) =>
          segments.map((s) => s.replaceAll('>', component).replaceAll('*', element) + after).join(''),
        )
        .join('\r\n\r\n'),
    );

  it('a mailbag with the same delimiters: every ISA, GS and ST in order', () => {
    const events = tokenize(
      mailbag([
        [first, '*', '>', '~\n'],
        [second, '*', '>', '~\n'],
        [third, '*', '>', '~\n'],
      ]),
    );
    expect(garbageOf(events)).toEqual([]);
    const tags = segmentsOf(events).map(([tag]) => tag);
    expect(tags.filter((t) => t === 'ISA')).toHaveLength(3);
    expect(tags.filter((t) => t === 'GS')).toHaveLength(4);
    expect(tags.filter((t) => t === 'ST')).toHaveLength(7);
    expect(segmentsOf(events)).toEqual(segmentsOf(tokenize(bytes(text([...first, ...second, ...third])))));
  });

  it('a mailbag hard-wrapped at any width, line breaks even inside "ISA": every interchange read', () => {
    const flat = text([...first, ...second, ...third]).replaceAll('\n', '');
    const expected = segmentsOf(tokenize(bytes(flat)));
    expect(expected.filter(([tag]) => tag === 'ISA')).toHaveLength(3);
    const broken: string[] = [];
    const breaksInsideIsa: Uint8Array[] = [];
    for (let width = 40; width <= 120; width++) {
      for (const lineBreak of ['\n', '\r\n']) {
        const wrappedText = `${(flat.match(new RegExp(`.{1,${width}}`, 'g')) as string[]).join(lineBreak)}${lineBreak}`;
        const events = tokenize(bytes(wrappedText));
        if (garbageOf(events).length > 0 || JSON.stringify(segmentsOf(events)) !== JSON.stringify(expected))
          broken.push(`${width} ${JSON.stringify(lineBreak)}`);
        if (/I\r?\nSA|IS\r?\nA|ISA\r?\n\*/.test(wrappedText)) breaksInsideIsa.push(bytes(wrappedText));
      }
    }
    expect(broken).toEqual([]);
    // Some widths put a line break inside a later "ISA*" (the first one starts the line).
    expect(breaksInsideIsa.length).toBeGreaterThan(2);
    expect(splitsThatDiffer(breaksInsideIsa[0] as Uint8Array)).toEqual([]);
  });

  it('each interchange with its own delimiters', () => {
    const input = mailbag([
      [first, '|', ':', '\n'],
      [second, '\x1d', '\x1f', '\x15'],
      [third, '*', '>', '~\r\n'],
    ]);
    const events = tokenize(input);
    expect(garbageOf(events)).toEqual([]);
    const segments = segmentsOf(events);
    const plain = segmentsOf(tokenize(bytes(text([...first, ...second, ...third]))));
    expect(segments.map(([tag]) => tag)).toEqual(plain.map(([tag]) => tag));
    const isas = events.flatMap((e) =>
      e.kind === 'segment' && e.segment.tag === 'ISA' ? [[e.segment.elements[12], e.delimiters.element, e.delimiters.segment]] : [],
    );
    expect(isas).toEqual([
      ['000000011', 0x7c, 0x0a],
      ['000000012', 0x1d, 0x15],
      ['000000013', 0x2a, 0x7e],
    ]);
    // Each segment carries the delimiters of its own interchange.
    const ieaIndexes = events.flatMap((e, i) => (e.kind === 'segment' && e.segment.tag === 'IEA' ? [i] : []));
    expect(ieaIndexes).toHaveLength(3);
    expect(splitsThatDiffer(input)).toEqual([]);

    // And the envelope reader finds every group and set in the right interchange.
    const { interchanges, unreadable } = read(input);
    expect(unreadable).toEqual([]);
    expect(interchanges.map((o) => [o.isa.elements[12], o.rejection, o.groups.map((g) => g.sets.map((s) => s.st02))])).toEqual([
      ['000000011', undefined, [['0001', '0002'], ['0003']]],
      ['000000012', undefined, [['0004', '0005', '0006']]],
      ['000000013', undefined, [['0001']]],
    ]);
  });
});

describe('input that is not X12', () => {
  const good = text(small());
  const goodSegments = segmentsOf(tokenize(bytes(good)));

  /** EBCDIC (code page 037) for the characters of an interchange. */
  const ebcdic = (value: string): Uint8Array =>
    Uint8Array.from(value, (ch) => {
      const c = ch.charCodeAt(0);
      if (c >= 0x41 && c <= 0x49) return 0xc1 + c - 0x41;
      if (c >= 0x4a && c <= 0x52) return 0xd1 + c - 0x4a;
      if (c >= 0x53 && c <= 0x5a) return 0xe2 + c - 0x53;
      if (c >= 0x30 && c <= 0x39) return 0xf0 + c - 0x30;
      return ({ ' ': 0x40, '*': 0x5c, '~': 0xa1, '>': 0x6e, '\n': 0x15, '-': 0x60, '.': 0x4b } as Record<string, number>)[ch] ?? 0x6f;
    });

  it('EBCDIC: "ISA" is C9 E2 C1, and the whole interchange is one garbage event', () => {
    const input = ebcdic(good);
    expect(Array.from(input.subarray(0, 3))).toEqual([0xc9, 0xe2, 0xc1]);
    const events = tokenize(input);
    expect(events).toEqual([
      {
        kind: 'garbage',
        offset: 0,
        reason: 'expected an interchange to start with ISA',
        preview: expect.stringMatching(/^\\xc9\\xe2\\xc1/),
      },
    ]);
    const after = tokenize(new Uint8Array([...input, ...bytes(good)]));
    expect(garbageOf(after).map((g) => g.offset)).toEqual([0]);
    expect(segmentsOf(after)).toEqual(goodSegments);
  });

  it('random binary (no "I" in it) yields garbage or nothing, and the interchange after it is read', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }).map((a) => a.map((b) => (b === 0x49 ? 0x48 : b))),
        (binary) => {
          const alone = tokenize(binary);
          const blank = binary.every((b) => b <= 0x20 || b === 0x7f);
          expect(alone).toEqual(
            blank ? [] : [expect.objectContaining({ kind: 'garbage', reason: 'expected an interchange to start with ISA' })],
          );
          const events = tokenize(new Uint8Array([...binary, ...bytes(good)]));
          expect(garbageOf(events)).toHaveLength(blank ? 0 : 1);
          expect(segmentsOf(events)).toEqual(goodSegments);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('empty input yields nothing, whitespace alone yields nothing', () => {
    expect(tokenize(new Uint8Array(0))).toEqual([]);
    expect(tokenize(bytes(' \r\n\t\x00 '))).toEqual([]);
    const events: TokenEvent[] = [];
    const tokenizer = new X12Tokenizer((e) => events.push(e));
    tokenizer.push(new Uint8Array(0));
    tokenizer.end();
    expect(events).toEqual([]);
  });

  it('an ISA truncated anywhere: one garbage event; truncated and followed by a whole interchange: that interchange is read', () => {
    const isaText = `${isa()}~`;
    for (let cut = 1; cut < isaText.length; cut++) {
      const head = isaText.slice(0, cut);
      const alone = tokenize(bytes(head));
      expect(alone, head).toEqual([expect.objectContaining({ kind: 'garbage', offset: 0 })]);
      expect((alone[0] as { reason: string }).reason, head).not.toBe('');
      for (const between of ['', '\r\n']) {
        // A whole ISA with CR LF after it is an ISA with CR LF as its terminator: no garbage there.
        if (cut === isaText.length - 1 && between === '\r\n') continue;
        const events = tokenize(bytes(head + between + good));
        expect(
          garbageOf(events).map((g) => g.offset),
          JSON.stringify(head + between),
        ).toEqual([0]);
        expect(segmentsOf(events), JSON.stringify(head + between)).toEqual(goodSegments);
      }
    }
    expect(tokenize(bytes(isa().slice(0, 50)))).toEqual([
      { kind: 'garbage', offset: 0, reason: 'the input ends inside the ISA segment', preview: `ISA*00*${' '.repeat(10)}*00*   ` },
    ]);
    const ended = tokenize(bytes(`${isa()}\r\n${good}`));
    expect(garbageOf(ended)).toEqual([]);
    expect(segmentsOf(ended)).toEqual([['ISA', goodSegments[0]?.[1]], ...goodSegments]);
  });

  it('"ISA" followed by digits, or by a letter, is not an interchange', () => {
    for (const [head, reason] of [
      ['ISA00401000000001', '"0" after ISA cannot be an element separator'],
      ['ISA1', '"1" after ISA cannot be an element separator'],
      ['ISAX*00*', '"X" after ISA cannot be an element separator'],
    ] as const) {
      const events = tokenize(bytes(`${head}\n${good}`));
      expect(garbageOf(events), head).toEqual([expect.objectContaining({ offset: 0, reason })]);
      expect(segmentsOf(events), head).toEqual(goodSegments);
    }
  });

  it('an ISA whose 16 separators never come is garbage, and reading resumes at the next ISA', () => {
    const events = tokenize(bytes(`ISA*00*${'x'.repeat(300)}\n${good}`));
    expect(garbageOf(events)).toEqual([expect.objectContaining({ offset: 0, reason: 'the ISA segment does not have 16 elements' })]);
    expect(segmentsOf(events)).toEqual(goodSegments);
  });

  it('bytes after an IEA that do not start an ISA are garbage, at their offset', () => {
    const junk = 'NOT X12 AT ALL';
    const events = tokenize(bytes(`${good}${junk}\n${good}`));
    expect(garbageOf(events).map((g) => [g.offset, g.reason, g.preview])).toEqual([
      [good.length, 'expected an interchange to start with ISA', 'NOT X12 AT ALL\\x0a'],
    ]);
    expect(segmentsOf(events)).toEqual([...goodSegments, ...goodSegments]);
  });

  it('a garbage run over many chunks is reported once, at its start', () => {
    const input = bytes(`${'junk '.repeat(200)}${good}`);
    const events = chunked(
      input,
      Array.from({ length: 99 }, (_, i) => (i + 1) * 10),
    );
    expect(garbageOf(events).map((g) => [g.offset, g.reason])).toEqual([[0, 'expected an interchange to start with ISA']]);
    expect(segmentsOf(events)).toEqual(goodSegments);
  });
});
